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
