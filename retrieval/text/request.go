package text

import (
	"regexp"
	"strings"
)

// requestRe matches the phrasing of a request for an overview, which is not content: "tell
// me about", "summarize (the news about)", "what's the latest on", "what do we know about",
// "news about", "give me an overview of". Its last group is the topic.
var requestRe = regexp.MustCompile(`(?i)^\s*(?:(?:can|could|would) you\s+|please\s+)?(?:` +
	`tell me (?:more )?about|` +
	`(?:summari[sz]e|sum up|recap|brief me on|give me a (?:summary|rundown|recap) of|give me an (?:overview|update) (?:of|on))|` +
	`what(?:'s| is|’s) (?:the )?(?:latest|new|news) (?:on|about|with|in)|` +
	`what do (?:we|you) know about|` +
	`(?:any |the |latest |recent )*(?:news|updates?) (?:about|on)|` +
	`overview of` +
	`)\s+(.*?)[\s?.!]*$`)

// summaryLead is what a summary request may say before its topic: "summarize the news
// about X" is about X.
var summaryLead = regexp.MustCompile(`(?i)^(?:(?:the|all the|any|recent|latest)\s+)*(?:news|articles?|stories|coverage|reporting|updates?)\s+(?:about|on|of|regarding)\s+`)

// StripRequest separates a request's phrasing from its topic: "Tell me about fentanyl" is
// ("fentanyl", true), "Summarize the news about Yukos" ("Yukos", true). A question that is
// not such a request comes back unchanged, with false. Please and a trailing question mark
// are phrasing too.
func StripRequest(q string) (topic string, isRequest bool) {
	m := requestRe.FindStringSubmatch(q)
	if m == nil {
		for _, re := range cjkRequests {
			if m := re.FindStringSubmatch(q); m != nil && strings.TrimSpace(m[1]) != "" {
				return strings.TrimSpace(m[1]), true
			}
		}
		return q, false
	}
	topic = strings.TrimSpace(summaryLead.ReplaceAllString(strings.TrimSpace(m[1]), ""))
	topic = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(topic), "please"))
	topic = strings.TrimRight(topic, " ,?.!")
	if topic == "" {
		return q, false
	}
	return topic, true
}

// cjkRequests are the same requests in Japanese and Chinese, whose topic comes first in
// Japanese ("フェンタニルについて教えて": tell me about fentanyl; "…の最新情報": the latest
// on …; "…を要約して": summarize …) and may in Chinese ("告诉我关于…", "总结一下…", "…的最新消息").
// Their first group is the topic.
var cjkRequests = []*regexp.Regexp{
	regexp.MustCompile(`^\s*(.+?)\s*(?:について|に関して|に関する)(?:の)?(?:ことを)?(?:教えて|まとめて|知りたい|説明して|最新情報|ニュース|情報)(?:ください|下さい|ほしい)?[。？！?!\s]*$`),
	regexp.MustCompile(`^\s*(.+?)\s*の(?:最新情報|最新ニュース|ニュース)(?:は|を教えて(?:ください)?)?[。？！?!\s]*$`),
	regexp.MustCompile(`^\s*(.+?)\s*を(?:要約|まとめ)(?:して|て)(?:ください|下さい)?[。？！?!\s]*$`),
	regexp.MustCompile(`^\s*(?:请)?(?:告诉我|介绍一下|总结一下|概括一下|说说)(?:关于)?\s*(.+?)(?:的(?:新闻|情况|消息|进展))?[。？！?!\s]*$`),
	regexp.MustCompile(`^\s*(?:关于)?\s*(.+?)的(?:最新)?(?:新闻|消息|进展)[。？！?!\s]*$`),
}
