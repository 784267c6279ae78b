package retrieval

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/retrieval/text"

	"github.com/jackc/pgx/v5"
)

// Gap is what members asked that the articles do not answer: a question footnote abstained
// on, or one whose answer members marked unhelpful (👎). Questions that ask the same thing
// are one gap: written alike (case, spacing and the final question mark aside), or in
// other words with the same content words and the same kind of answer asked for ("Who is
// Springfield's mayor?" and "who is the mayor of springfield", "Tell me about Yukos" and
// "What's the latest on Yukos?"; not "When was X founded?" and "Who founded X?"). Who
// asked is not shown.
type Gap struct {
	Question   string    // as it was last asked
	Asked      int       // how many times
	Last       time.Time // when it was last asked
	NotCovered int       // how many of those footnote abstained on
	Unhelpful  int       // 👎 given to its answers
}

// MaxGaps bounds one listing of gaps.
const MaxGaps = 200

// maxGapWordings bounds the wordings one listing reads, the most recently asked first: a
// collection asked more different questions than this in the period lists the gaps of
// the latest.
const maxGapWordings = 50000

// Gaps lists coll's gaps asked since `since` (zero for all), most asked first, then most
// recent, at most limit (at most MaxGaps): what an admin would add articles about.
func (e *Engine) Gaps(ctx context.Context, coll string, since time.Time, limit int) ([]Gap, error) {
	if err := validCollection(coll); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxGaps {
		limit = MaxGaps
	}
	// The database groups the questions written alike; the wordings are then grouped by
	// what they ask (gapKey), with the tokeniser the questions are searched with, so that
	// the grouping follows it when it changes.
	var wordings []Gap
	_, err := e.store.query(ctx, readIn(coll), `
		WITH q AS (
			SELECT q.id, q.question, q.asked_at, q.covered,
				lower(regexp_replace(regexp_replace(btrim(q.question), '[\s?？!！.。]+$', ''), '\s+', ' ', 'g')) AS key,
				(SELECT count(*) FROM feedback f WHERE f.collection = q.collection AND f.question_id = q.id AND NOT f.helpful) AS down
			FROM questions q
			WHERE q.collection = $1 AND q.asked_at >= $2)
		SELECT (array_agg(question ORDER BY asked_at DESC))[1], count(*), max(asked_at),
			count(*) FILTER (WHERE NOT covered), sum(down)::bigint
		FROM q GROUP BY key
		ORDER BY max(asked_at) DESC
		LIMIT $3`, []any{coll, since, maxGapWordings}, func(rows pgx.Rows) error {
		var err error
		wordings, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Gap, error) {
			var g Gap
			err := r.Scan(&g.Question, &g.Asked, &g.Last, &g.NotCovered, &g.Unhelpful)
			return g, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list gaps of %s: %w", coll, err)
	}
	return mergeGaps(wordings, limit), nil
}

// mergeGaps groups wordings (most recently asked first) by what they ask, keeps the groups
// with a question abstained on or an answer marked unhelpful, and returns at most limit of
// them, most asked first, then most recent. A group shows its latest wording.
func mergeGaps(wordings []Gap, limit int) []Gap {
	var out []Gap
	at := map[string]int{}
	for _, w := range wordings {
		key := gapKey(w.Question)
		i, ok := at[key]
		if !ok || key == "" {
			at[key] = len(out)
			out = append(out, w)
			continue
		}
		g := &out[i]
		g.Asked += w.Asked
		g.NotCovered += w.NotCovered
		g.Unhelpful += w.Unhelpful
		if w.Last.After(g.Last) {
			g.Last, g.Question = w.Last, w.Question
		}
	}
	out = slices.DeleteFunc(out, func(g Gap) bool { return g.NotCovered == 0 && g.Unhelpful == 0 })
	slices.SortStableFunc(out, func(a, b Gap) int {
		if a.Asked != b.Asked {
			return b.Asked - a.Asked
		}
		return b.Last.Compare(a.Last)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// timeAskTerms are the terms of the words a question asks "when" with.
var timeAskTerms = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range text.Terms("year date century") {
		m[t] = true
	}
	return m
}()

// gapKey is what a question asks: the kind of answer it wants and its content words,
// stemmed, each once, in order (a request's phrasing left out, as retrieval leaves it out,
// and a "when" question's "what year"); "" for a question without content words, which is
// grouped only with its own wording.
func gapKey(q string) string {
	kind := text.AnswerKind(q)
	topic, _ := text.StripRequest(q)
	terms := text.Terms(topic)
	if kind == text.KindTime {
		// "What year", "what date", "what century" ask what "when" asks.
		terms = slices.DeleteFunc(terms, func(t string) bool { return timeAskTerms[t] })
	}
	if len(terms) == 0 {
		return ""
	}
	slices.Sort(terms)
	return fmt.Sprint(int(kind), ":", strings.Join(slices.Compact(terms), " "))
}

// forgetBatch is how many questions one statement of ForgetQuestions deletes: a long
// backlog (the first sweep after retention is set) is deleted in short transactions.
const forgetBatch = 5000

// ForgetQuestions deletes, in every collection, the questions asked before `before`, and
// the feedback on their answers (FOOTNOTE_QUESTION_RETENTION: the sweep_departures job
// calls it), and returns how many questions it deleted.
func (e *Engine) ForgetQuestions(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		// Across collections: retention is the operator's, the same for every server.
		tag, err := e.store.exec(ctx, allCollections, `
			DELETE FROM questions WHERE id IN (
				SELECT id FROM questions WHERE asked_at < $1 ORDER BY asked_at LIMIT $2)`, before, forgetBatch)
		if err != nil {
			return total, fmt.Errorf("forget questions asked before %s: %w", before.UTC().Format(time.RFC3339), err)
		}
		n := int(tag.RowsAffected())
		total += n
		if n < forgetBatch {
			return total, nil
		}
	}
}
