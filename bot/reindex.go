package bot

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// /reindex: admins only. With a Reindexer (footnote serve), it queues a background job
// (reindexjob.go), whose ReindexReport shows it in the channel. Without one (the console),
// it runs in the reply: the plan first, then the reply is edited as the engine reports
// progress, at most every progressEvery, and finally with the counts and the time taken.
// Both read the same: the texts are shared.

const reindexStartText = "Reindexing this server's articles…"

func (b *Bot) runReindex(ctx context.Context, r *request) error {
	if b.cfg.Reindexer != nil && !r.console {
		return b.queueReindex(ctx, r) // reindexjob.go
	}
	start := b.now()
	plan, err := b.eng.PlanReindex(ctx, r.guildID)
	if err != nil {
		return fmt.Errorf("reindex: plan: %w", err)
	}
	header := reindexStartText + " " + ReindexPlanText(plan)
	if err := r.reply.edit(ctx, message{content: header}); err != nil {
		return fmt.Errorf("reindex: show start: %w", err)
	}
	live := startLive(ctx, b.progressEvery, b.now,
		func(ctx context.Context, text string) error { return r.reply.edit(ctx, message{content: text}) },
		func(done, total int, elapsed time.Duration) string {
			return header + "\n" + ProgressLine(done, total, "passage", elapsed)
		},
		func(err error) { b.log.Warn("reindex progress edit failed", "guild_id", r.guildID, "err", err) })
	stats, err := b.eng.Reindex(ctx, r.guildID, live.set)
	live.close()
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	took := stats.Took
	if took <= 0 {
		took = b.now().Sub(start)
	}
	return r.reply.edit(ctx, message{content: reindexDoneText(stats, took)})
}

// ReindexPlanText says what a reindex is about to do, from its plan: what it rebuilds and
// embeds, and with a model on a server about how many tokens that sends. The command line
// prints it too.
func ReindexPlanText(p retrieval.ReindexPlan) string {
	var work []string
	if p.ToRelex > 0 {
		work = append(work, fmt.Sprintf("rebuild the keyword index of %s %s", thousands(p.ToRelex), nounFor(p.ToRelex, "passage")))
	}
	if p.ToEmbed > 0 {
		embed := fmt.Sprintf("embed %s %s with %s", thousands(p.ToEmbed), nounFor(p.ToEmbed, "passage"), p.Space)
		if p.Remote {
			embed += fmt.Sprintf(" (about %s tokens, counting 4 characters a token)", approxCount(p.Tokens))
		}
		work = append(work, embed)
	}
	if len(work) == 0 {
		return fmt.Sprintf("Nothing to rebuild or embed: %s %s already in %s.",
			thousands(p.Passages), nounFor(p.Passages, "passage"), p.Space)
	}
	return "Will " + strings.Join(work, ", then ") + "."
}

// reindexDoneText is the last edit of a reindex that finished: the counts, what it deleted
// and where answers come from now, then a full bar with the time taken.
func reindexDoneText(st retrieval.ReindexStats, took time.Duration) string {
	text := fmt.Sprintf("Reindex done in %s: %s %s, %s %s, %s embedded.", exactDuration(took),
		thousands(st.Articles), nounFor(st.Articles, "article"), thousands(st.Passages), nounFor(st.Passages, "passage"),
		thousands(st.Embedded))
	if st.Relexed > 0 {
		text += fmt.Sprintf(" Keyword index rebuilt for %s %s.", thousands(st.Relexed), nounFor(st.Relexed, "passage"))
	}
	if st.Space != "" {
		text += fmt.Sprintf(" Now answering from embedding space %s.", escapeMarkdown(st.Space))
	}
	if st.Deleted > 0 {
		text += fmt.Sprintf(" Deleted %s %s of the old embedding space.", thousands(st.Deleted), nounFor(st.Deleted, "vector"))
	}
	return text + "\n" + ProgressDoneLine(st.Relexed+st.Embedded, "passage", took)
}

// approxCount rounds a large count as a person would say it: 3,120; 48,000; 1.2 million.
func approxCount(n int) string {
	switch {
	case n < 10_000:
		return thousands(n)
	case n < 1_000_000:
		return thousands(int(math.Round(float64(n)/1000)) * 1000)
	}
	return fmt.Sprintf("%.1f million", float64(n)/1e6)
}
