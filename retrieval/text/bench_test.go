package text

import (
	"strings"
	"testing"
)

var benchText = strings.Repeat("The Apollo program was conceived during the Eisenhower administration in early 1960, as a follow-up to Project Mercury. ", 8)

func BenchmarkTerms(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		Terms(benchText)
	}
}

func BenchmarkSentences(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		Sentences(benchText)
	}
}

// readText is a news passage as the reranker reads it, sentence by sentence.
const readText = `Time Warner's fourth quarter profits were slightly better than analysts' expectations. ` +
	`But its film division saw profits slump 27% to $284m, helped by box-office flops Alexander and Catwoman, ` +
	`a sharp contrast to year-earlier, when the third and final film in the Lord of the Rings trilogy boosted results. ` +
	`For the full-year, TimeWarner posted a profit of $3.36bn, up 27% from its 2003 performance, while revenues grew 6.4% to $42.09bn. ` +
	`"Our financial performance was strong, meeting or exceeding all of our full-year objectives and greatly enhancing our flexibility," ` +
	`chairman and chief executive Richard Parsons said. For 2005, TimeWarner is projecting operating earnings growth of around 5%, ` +
	`and also expects higher revenue and wider profit margins. TimeWarner is to restate its accounts as part of efforts to resolve ` +
	`an inquiry into AOL by US market regulators. It has already offered to pay $300m to settle charges, in a deal that is under review by the SEC. ` +
	`The company said it was unable to estimate the amount it needed to set aside for legal reserves, which it previously set at $500m.`

// BenchmarkQuestionRead measures the reranker's reading of a passage's sentences for a
// question (text.Question.Read), most of a search's CPU in Go.
func BenchmarkQuestionRead(b *testing.B) {
	qs := []*Question{
		NewQuestion("How much did Time Warner's quarterly profit go up?", nil),
		NewQuestion("Who is the chief executive of TimeWarner?", nil),
		NewQuestion("How much did the company offer to pay to settle the SEC charges?", nil),
	}
	spans := Sentences(readText)
	b.SetBytes(int64(len(readText) * len(qs)))
	for b.Loop() {
		for _, q := range qs {
			for _, sp := range spans {
				q.Read(readText[sp.Start:sp.End])
			}
		}
	}
}
