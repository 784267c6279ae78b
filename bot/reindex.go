package bot

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// /reindex: admins only. With a Reindexer (footnote serve), it queues a background job
// (reindexjob.go), whose ReindexReport shows it in the channel. Without one (the console),
// it runs in the reply: the plan first, then the reply is edited as the engine reports
// progress, at most every progressEvery, and finally with the counts and the time taken.
// Both read the same, in the language of who asked: the texts are shared.

func (b *Bot) runReindex(ctx context.Context, r *request) error {
	if b.cfg.Reindexer != nil && !r.console {
		return b.queueReindex(ctx, r) // reindexjob.go
	}
	start := b.now()
	plan, err := b.eng.PlanReindex(ctx, r.guildID)
	if err != nil {
		return fmt.Errorf("reindex: plan: %w", err)
	}
	l := r.lang()
	header := l.tr("Reindexing this server's articles…") + " " + reindexPlanText(l, plan)
	if err := r.reply.edit(ctx, message{content: header}); err != nil {
		return fmt.Errorf("reindex: show start: %w", err)
	}
	live := startLive(ctx, b.progressEvery, b.now,
		func(ctx context.Context, text string) error { return r.reply.edit(ctx, message{content: text}) },
		func(done, total int, elapsed time.Duration) string {
			return header + "\n" + progressLine(l, done, total, elapsed)
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
	return r.reply.edit(ctx, message{content: reindexDoneText(l, stats, took)})
}

// ReindexPlanText says, in English, what a reindex is about to do, from its plan: what it
// rebuilds and embeds, and with a model on a server about how many tokens that sends. The
// command line prints it; Discord shows reindexPlanText in the admin's language.
func ReindexPlanText(p retrieval.ReindexPlan) string { return reindexPlanText("", p) }

// reindexPlanText is ReindexPlanText in language l.
func reindexPlanText(l lang, p retrieval.ReindexPlan) string {
	var relex, embed string
	if p.ToRelex > 0 {
		relex = l.trn(p.ToRelex, "rebuild the keyword index of %s passage", "rebuild the keyword index of %s passages",
			l.number(p.ToRelex))
	}
	if p.ToEmbed > 0 {
		embed = l.trn(p.ToEmbed, "embed %[1]s passage with %[2]s", "embed %[1]s passages with %[2]s",
			l.number(p.ToEmbed), p.Space)
		if p.Remote {
			embed += " " + l.trf("(about %s tokens, counting 4 characters a token)", approxCount(l, p.Tokens))
		}
	}
	switch {
	case relex != "" && embed != "":
		return l.trf("Will %[1]s, then %[2]s.", relex, embed)
	case relex != "" || embed != "":
		return l.trf("Will %s.", relex+embed)
	}
	return l.trn(p.Passages, "Nothing to rebuild or embed: %[1]s passage already in %[2]s.",
		"Nothing to rebuild or embed: %[1]s passages already in %[2]s.", l.number(p.Passages), p.Space)
}

// reindexDoneText is the last edit of a reindex that finished, in language l: the counts,
// what it deleted and where answers come from now, then a full bar with the time taken.
func reindexDoneText(l lang, st retrieval.ReindexStats, took time.Duration) string {
	text := l.trf("Reindex done in %[1]s: %[2]s, %[3]s, %[4]s embedded.", exactDuration(l, took),
		l.trn(st.Articles, "%s article", "%s articles", l.number(st.Articles)), l.passageCount(st.Passages, l.number(st.Passages)),
		l.number(st.Embedded))
	if st.Relexed > 0 {
		text += " " + l.trn(st.Relexed, "Keyword index rebuilt for %s passage.", "Keyword index rebuilt for %s passages.",
			l.number(st.Relexed))
	}
	if st.Space != "" {
		text += " " + l.trf("Now answering from embedding space %s.", escapeMarkdown(st.Space))
	}
	if st.Deleted > 0 {
		text += " " + l.trn(st.Deleted, "Deleted %s vector of the old embedding space.", "Deleted %s vectors of the old embedding space.",
			l.number(st.Deleted))
	}
	return text + "\n" + progressDoneLine(l, st.Relexed+st.Embedded, took)
}

// approxCount rounds a large count as a person would say it, in language l: 3,120;
// 48,000; 1.2 million.
func approxCount(l lang, n int) string {
	switch {
	case n < 10_000:
		return l.number(n)
	case n < 1_000_000:
		return l.number(int(math.Round(float64(n)/1000)) * 1000)
	}
	return l.trf("%s million", l.decimal(float64(n)/1e6, 1))
}
