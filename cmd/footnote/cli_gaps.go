package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/extract"
)

// cmdGaps lists what members asked that the articles do not answer (Engine.Gaps): the
// questions footnote abstained on and those whose answers got a 👎, most asked first.
func (m *Main) cmdGaps(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("gaps", true)
	asJSON := fs.Bool("json", false, "print one JSON line per question")
	sinceFlag := fs.String("since", "", "only questions asked on or after this date: YYYY-MM-DD or RFC 3339")
	limit := fs.Int("limit", 50, "list at most this many (at most "+strconv.Itoa(retrieval.MaxGaps)+")")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return m.usageError("gaps")
	}
	var since time.Time
	if *sinceFlag != "" {
		if since, err = extract.ParseDate(*sinceFlag); err != nil {
			return fmt.Errorf("--since: %w: %w", retrieval.ErrInvalidInput, err)
		}
	}
	if *limit < 1 || *limit > retrieval.MaxGaps {
		return fmt.Errorf("%w: --limit takes 1 to %d, not %d", retrieval.ErrInvalidInput, retrieval.MaxGaps, *limit)
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	gaps, err := m.Engine.Gaps(ctx, *coll, since, *limit)
	if err != nil {
		return err
	}
	if len(gaps) == 0 && !*asJSON {
		fmt.Fprintln(m.Stdout, "no gaps: every question asked was answered, and no answer was marked unhelpful")
	}
	for _, g := range gaps {
		if *asJSON {
			writeJSONLine(m.Stdout, map[string]any{"question": g.Question, "asked": g.Asked, "last": stamp(g.Last),
				"not_covered": g.NotCovered, "unhelpful": g.Unhelpful})
			continue
		}
		var what []string
		if g.NotCovered > 0 {
			what = append(what, fmt.Sprintf("not covered %d×", g.NotCovered))
		}
		if g.Unhelpful > 0 {
			what = append(what, fmt.Sprintf("👎 %d", g.Unhelpful))
		}
		fmt.Fprintf(m.Stdout, "%d× %s\n  %s; last asked %s\n", g.Asked, oneLineText(g.Question, 300), strings.Join(what, ", "), stamp(g.Last))
	}
	return nil
}
