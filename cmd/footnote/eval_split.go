package main

import (
	"context"
	"fmt"
	"io"

	"github.com/footnote-bot/footnote/retrieval"
)

// The split-half protocol (README: Knowing what the articles don't cover): a questions file
// may hold questions about articles the collection does not have. Those must abstain, like
// the off-topic ones of --unanswerable; the rest must be answered. Which is which follows
// from each question's "url" and the collection's articles, so the same file serves both
// halves of a split.

// collectionURLs returns the URLs of every article of the collection.
func collectionURLs(ctx context.Context, eng *retrieval.Engine, coll string) (map[string]bool, error) {
	const page = 100
	urls := map[string]bool{}
	for off := 0; ; off += page {
		as, total, err := eng.ListArticles(ctx, coll, "", off, page)
		if err != nil {
			return nil, fmt.Errorf("list articles: %w", err)
		}
		for _, a := range as {
			urls[a.URL] = true
		}
		if len(as) == 0 || off+page >= total {
			return urls, nil
		}
	}
}

// splitByCollection separates the questions about an article of the collection (or about
// no named article) from those about an article it does not hold.
func splitByCollection(qs []evalQuestion, urls map[string]bool) (answerable, absent []evalQuestion) {
	for _, q := range qs {
		if q.URL == "" || urls[q.URL] {
			answerable = append(answerable, q)
		} else {
			absent = append(absent, q)
		}
	}
	return answerable, absent
}

// share is n of total as a fraction rounded like the report's, 0 when total is 0.
func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return round4(float64(n) / float64(total))
}

// printAbstention prints the abstention lines of the report and its row of the split-half
// table (README: Knowing what the articles don't cover).
func printAbstention(w io.Writer, coll string, rep evalReport) {
	if rep.Absent > 0 {
		fmt.Fprintf(w, "not covered  %d questions about articles not in the collection: abstained %.3f, %d got a quote\n",
			rep.Absent, share(rep.Absent-rep.AbsentAnswered, rep.Absent), rep.AbsentAnswered)
	}
	if rep.Unanswerable > 0 {
		fmt.Fprintf(w, "unanswerable %d of %d got a quote (should have abstained): abstained %.3f\n",
			rep.UnanswerableAnswered, rep.Unanswerable, share(rep.Unanswerable-rep.UnanswerableAnswered, rep.Unanswerable))
	}
	if rep.Absent == 0 && rep.Unanswerable == 0 {
		return
	}
	fmt.Fprintln(w, "| collection | answerable | hit@1 | answer@1 | abstained | not covered | abstained | got a quote | off-topic | abstained | got a quote |")
	fmt.Fprintf(w, "| %s | %d | %.3f | %.3f | %.3f | %d | %.3f | %d | %d | %.3f | %d |\n",
		coll, rep.N, rep.Hit1, rep.Answer1, rep.Abstained,
		rep.Absent, share(rep.Absent-rep.AbsentAnswered, rep.Absent), rep.AbsentAnswered,
		rep.Unanswerable, share(rep.Unanswerable-rep.UnanswerableAnswered, rep.Unanswerable), rep.UnanswerableAnswered)
}
