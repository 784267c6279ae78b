package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// /reindex: admins only. The reply is edited as the engine reports progress, at most every
// progressEvery, and finally with the counts and the time taken.

func (b *Bot) runReindex(ctx context.Context, r *request) error {
	if b.cfg.Reindexer != nil && !r.console {
		return b.queueReindex(ctx, r) // reindexjob.go
	}
	start := b.now()
	l := r.lang()
	if err := r.reply.edit(ctx, message{content: l.tr("Reindexing this server's articles…")}); err != nil {
		return fmt.Errorf("reindex: show start: %w", err)
	}
	var (
		mu          sync.Mutex
		done, total int
		changed     bool
	)
	progress := func(d, t int) {
		mu.Lock()
		done, total, changed = d, t, true
		mu.Unlock()
	}
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(b.progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			mu.Lock()
			d, t, c := done, total, changed
			changed = false
			mu.Unlock()
			if !c {
				continue
			}
			if err := r.reply.edit(ctx, message{content: progressText(l, d, t, b.now().Sub(start))}); err != nil {
				b.log.Warn("reindex progress edit failed", "guild_id", r.guildID, "err", err)
			}
		}
	}()
	stats, err := b.eng.Reindex(ctx, r.guildID, progress)
	close(stop)
	<-stopped
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	return r.reply.edit(ctx, message{content: reindexDoneText(l, stats, b.now().Sub(start))})
}

// reindexDoneText is the last word on a finished reindex, in language l: its counts and
// the time taken (stats.Took, or elapsed when the engine did not say).
func reindexDoneText(l lang, stats retrieval.ReindexStats, elapsed time.Duration) string {
	took := stats.Took
	if took <= 0 {
		took = elapsed
	}
	text := l.trf("Reindex done in %[1]s: %[2]s, %[3]s, %[4]d embedded.", roundDuration(took),
		l.trn(stats.Articles, "%d article", "%d articles", stats.Articles),
		l.trn(stats.Passages, "%d passage", "%d passages", stats.Passages), stats.Embedded)
	if stats.Relexed > 0 {
		text += " " + l.trn(stats.Relexed, "Keyword index rebuilt for %d passage.", "Keyword index rebuilt for %d passages.", stats.Relexed)
	}
	if stats.Space != "" {
		text += " " + l.trf("Now answering from embedding space %s.", escapeMarkdown(stats.Space))
	}
	return text
}

// progressText is a reindex's progress in language l.
func progressText(l lang, done, total int, elapsed time.Duration) string {
	if total <= 0 {
		return l.trf("Reindexing this server's articles… %d done (%s).", done, roundDuration(elapsed))
	}
	return l.trf("Reindexing this server's articles… %d of %d (%d%%, %s).",
		done, total, done*100/total, roundDuration(elapsed))
}

// roundDuration keeps a duration readable: 850ms, 4.2s, 3m12s.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond)
	case d < time.Minute:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}
