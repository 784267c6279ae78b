package bot

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

var update = flag.Bool("update", false, "rewrite docs/answer.html, the README's picture of an answer")

// previewFile is the page the README's picture (docs/answer.png) is a screenshot of.
var previewFile = filepath.Join("..", "docs", "answer.html")

// TestAnswerPreview draws the messages footnote sends for an answer citing two articles as
// Discord shows them, and checks docs/answer.html is that drawing: the picture in the
// README stays in step with the code. With -update (make docs) it rewrites the file.
func TestAnswerPreview(t *testing.T) {
	const question = "What did the council decide, and when does the bridge close?"
	ans := previewAnswer()
	eng := newFakeEngine()
	eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
		return ans, nil
	}
	h := newHarness(t, eng)
	s := h.ask(guildA, alice, question)
	first := h.edit(s, nil)
	// An answer too long for one message goes on in follow-ups: the picture shows them all.
	followups := h.discord.waitFor(t, "the answer's follow-ups", len(renderAnswer(ans))-1, followupOf(s.token))
	got := previewHTML("alice", "/ask question: "+question, append([]call{first}, followups...))

	if *update {
		if err := os.MkdirAll(filepath.Dir(previewFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(previewFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(previewFile)
	if err != nil {
		t.Fatalf("%v: run make docs to draw it", err)
	}
	if string(want) != got {
		t.Errorf("%s is not the answer footnote now sends: run make docs to redraw it (and docs/answer.png)\n%s",
			previewFile, firstDifference(string(want), got))
	}
}

// firstDifference shows the first line where the file and the drawing differ.
func firstDifference(file, drawn string) string {
	a, b := strings.Split(file, "\n"), strings.Split(drawn, "\n")
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return fmt.Sprintf("line %d\n  file:  %s\n  drawn: %s", i+1, x, y)
		}
	}
	return ""
}

// previewAnswer is the answer the picture shows: three quotes from two articles.
func previewAnswer() *retrieval.Answer {
	council := retrieval.Citation{URL: councilArticle.URL, Title: councilArticle.Title, Site: councilArticle.Site,
		Published: time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC)}
	bridge := retrieval.Citation{URL: bridgeArticle.URL, Title: bridgeArticle.Title, Site: bridgeArticle.Site,
		Published: time.Date(2024, 4, 20, 7, 30, 0, 0, time.UTC)}
	cite := func(c retrieval.Citation, n int, chunk int64, quote string) retrieval.Citation {
		c.N, c.ChunkID, c.Quote = n, chunk, quote
		return c
	}
	return &retrieval.Answer{
		Mode: retrieval.ModeExtractive, Covered: true, QuestionID: 41, Took: 840 * time.Millisecond,
		Text: "The council approved the annual budget on Tuesday, seven votes to two [1]; " +
			"it raises spending on parks by ten percent and freezes bus fares [2].\n\n" +
			"The harbour bridge closes for six weeks from June for structural repairs, " +
			"with ferries every ten minutes meanwhile [3].",
		Citations: []retrieval.Citation{
			cite(council, 1, 11, "The city council approved the annual budget on Tuesday by a vote of seven to two."),
			cite(council, 2, 12, "The budget raises spending on parks by ten percent and freezes bus fares."),
			cite(bridge, 3, 21, "The harbour bridge will close for six weeks from June for structural repairs. "+
				"Ferries will run every ten minutes while the bridge is shut."),
		},
	}
}
