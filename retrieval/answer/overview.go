package answer

import (
	"context"
	"fmt"
	"strings"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/text"
)

// Overview answers a request for an overview ("tell me about X", "summarize the news about
// X"; see text.StripRequest) offline: it quotes the sentence of each of the most relevant
// articles that bears most on the topic, one quote per article, best article first. A
// request has no single answer sentence, so the extractive answerer's pick would cite one
// article where the reader asked about several.
type Overview struct {
	// Articles is how many distinct articles it quotes at most (default 3).
	Articles int
}

// Answer implements retrieval.Answerer. ev.Question is the request's topic; a passage is
// quoted only when it and its title hold at least ev.MinShare of the topic's weight. It
// never fails; with no such passage it returns an answer that is not Covered.
func (o Overview) Answer(_ context.Context, ev retrieval.Evidence) (*retrieval.Answer, error) {
	n := o.Articles
	if n <= 0 {
		n = 3
	}
	q := text.NewQuestion(ev.Question, ev.TermWeights)
	ans := &retrieval.Answer{Mode: retrieval.ModeExtractive, Covered: true}
	seen := map[int64]bool{}
	var body strings.Builder
	for _, p := range ev.Passages {
		if len(ans.Citations) == n {
			break
		}
		if seen[p.ArticleID] {
			continue
		}
		// An article that holds too little of the topic (a bakery note that says
		// "Westfield", for the Westfield library) is not about it, however high it ranks.
		if q.Share(q.TitleTerms(p.Title), q.Read(p.Text)) < ev.MinShare {
			continue
		}
		start, end, ok := keySentence(q, p)
		if !ok {
			continue
		}
		seen[p.ArticleID] = true
		c := retrieval.Citation{
			N: len(ans.Citations) + 1, ChunkID: p.ChunkID, ArticleID: p.ArticleID, URL: p.URL,
			Title: p.Title, Site: p.Site, Published: p.Published, Quote: p.Text[start:end],
			Start: p.Start + start, End: p.Start + end,
		}
		ans.Citations = append(ans.Citations, c)
		if body.Len() > 0 {
			body.WriteString("\n\n")
		}
		fmt.Fprintf(&body, "“%s” [%d]", c.Quote, c.N)
	}
	if len(ans.Citations) == 0 {
		return retrieval.NotCovered(ev.Passages), nil
	}
	ans.Text = body.String()
	return ans, nil
}

// keySentence returns the offsets of passage p's sentence that holds the most of the
// topic's weight, the earlier one on a tie (a lead sentence says what the story is). A
// passage none of whose sentences holds a topic word has none.
func keySentence(q *text.Question, p retrieval.Result) (start, end int, ok bool) {
	best := 0.0
	for _, sp := range text.Sentences(p.Text) {
		if addressesModel(p.Text[sp.Start:sp.End]) {
			continue // an instruction to the model is no key sentence (injection.go)
		}
		if s := q.Share(nil, q.Read(p.Text[sp.Start:sp.End])); s > best {
			best, start, end, ok = s, sp.Start, sp.End, true
		}
	}
	return start, end, ok
}
