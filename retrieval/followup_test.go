package retrieval_test

import (
	"context"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// A thread follow-up names its subject only by a pronoun; footnote's earlier answer, quoted
// into retrieval, is what says who "he" is.
func TestFollowUpResolvesPronounsThroughThePreviousAnswer(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	const harbour, council = "https://news.example/harbour", "https://news.example/library"
	importDocs(t, e, coll,
		doc{URL: harbour, Title: "New harbour master", Text: "Ola Nordmann took over as harbour master of Bergen on Monday. " +
			"Nordmann said the dredging of the northern channel would cost 40 million kroner."},
		doc{URL: council, Title: "Library plans", Text: "The mayor took office on Monday. " +
			"The mayor said the new library would cost 12 million kroner."},
	)
	const previous = "Who is in charge now?"
	const earlier = "Ola Nordmann took over as harbour master of Bergen on Monday. [1] " +
		"> Ola Nordmann took over as harbour master of Bergen on Monday."
	const followUp = "What did he say it would cost?"
	cited := func(opts retrieval.AskOptions) string {
		t.Helper()
		ans, err := e.Ask(ctx, coll, followUp, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Covered || len(ans.Citations) == 0 {
			return ""
		}
		return ans.Citations[0].URL
	}
	if got := cited(retrieval.AskOptions{Previous: previous, PreviousAnswer: earlier}); got != harbour {
		t.Errorf("with the earlier answer the follow-up cites %q, want %q", got, harbour)
	}
	if got := cited(retrieval.AskOptions{Previous: previous}); got == harbour {
		t.Errorf("the earlier question alone already cites %q: the test shows nothing", got)
	}
}
