package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// blockingAsk makes the fake engine wait for release before answering.
func blockingAsk(eng *fakeEngine) (release func()) {
	ch := make(chan struct{})
	var once sync.Once
	eng.askFunc = func(ctx context.Context, _, _ string, _ retrieval.AskOptions) (*retrieval.Answer, error) {
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &retrieval.Answer{Mode: retrieval.ModeExtractive, Covered: true, Text: "Yes [1].",
			Citations: []retrieval.Citation{{N: 1, ChunkID: 1, Title: "T", URL: "https://news.example/t", Quote: "Yes."}}}, nil
	}
	return func() { once.Do(func() { close(ch) }) }
}

func TestLimits(t *testing.T) {
	t.Run("twenty concurrent asks are all deferred within Discord's window, then all answered", func(t *testing.T) {
		eng := newFakeEngine()
		release := blockingAsk(eng)
		h := newHarness(t, eng, func(c *Config) { c.GuildConcurrency = 20 })
		defer release()
		var wg sync.WaitGroup
		sents := make([]sent, 20)
		posted := make([]time.Time, 20)
		for i := range sents {
			m := member{id: fmt.Sprintf("1100000000000000%02d", i)}
			p, s := h.slash(guildA, m, "ask", "question", fmt.Sprintf("question %d?", i))
			sents[i] = s
			wg.Add(1)
			go func() {
				defer wg.Done()
				posted[i] = time.Now()
				h.post(p)
			}()
		}
		wg.Wait()
		// Every deferral is recorded while the engine is still blocked on all twenty.
		for i, s := range sents {
			cb := h.callback(s)
			if cb.num("type") != int(dg.InteractionResponseDeferredChannelMessageWithSource) {
				t.Errorf("ask %d: callback %v, want a deferral", i, cb.Body)
			}
			if d := cb.At.Sub(posted[i]); d > 3*time.Second {
				t.Errorf("ask %d deferred after %s, outside Discord's 3 s", i, d)
			}
		}
		if n := len(h.discord.recorded(func(c call) bool { return c.Method == "PATCH" })); n != 0 {
			t.Fatalf("%d answers before the engine answered", n)
		}
		release()
		for _, s := range sents {
			h.edit(s, func(c string) bool { return c == "Yes [1]." })
		}
	})

	t.Run("a member over the rate limit is told when to retry, others are not held up", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng, func(c *Config) { c.RatePerMinute = 2 })
		for i := 0; i < 2; i++ {
			h.edit(h.ask(guildA, alice, "budget?"), nil)
		}
		s := h.ask(guildA, alice, "budget?")
		got := h.ephemeralError(s)
		if !strings.HasPrefix(got, "You're going faster than footnote allows (2 requests a minute). Retry in ") ||
			!strings.HasSuffix(got, " seconds.") {
			t.Errorf("reply %q", got)
		}
		if eng.askCount() != 2 {
			t.Errorf("the engine was asked %d times, want 2", eng.askCount())
		}
		h.edit(h.ask(guildA, bob, "budget?"), nil)
		h.edit(h.ask(guildB, alice, "budget?"), nil) // the limit is per guild too
	})

	t.Run("when a guild has too much in flight, members are told to retry", func(t *testing.T) {
		eng := newFakeEngine()
		release := blockingAsk(eng)
		h := newHarness(t, eng, func(c *Config) { c.GuildConcurrency = 1 })
		first := h.ask(guildA, alice, "first?")
		h.callback(first)
		busy := h.ask(guildA, bob, "second?")
		if got := h.ephemeralError(busy); got != "footnote is busy right now. Retry in a few seconds." {
			t.Errorf("reply %q", got)
		}
		other := h.ask(guildB, bob, "other guild?")
		if cb := h.callback(other); cb.num("type") != int(dg.InteractionResponseDeferredChannelMessageWithSource) {
			t.Errorf("another guild was held up: %v", cb.Body)
		}
		release()
		h.edit(first, nil)
		h.edit(other, nil)
	})

	t.Run("when every worker and queue place is taken, members are told to retry", func(t *testing.T) {
		eng := newFakeEngine()
		release := blockingAsk(eng)
		h := newHarness(t, eng, func(c *Config) { c.Workers, c.QueueSize, c.GuildConcurrency = 1, 1, 10 })
		a, b := h.ask(guildA, alice, "one?"), h.ask(guildA, bob, "two?")
		h.callback(a)
		h.callback(b)
		c := h.ask(guildA, boss, "three?")
		if got := h.ephemeralError(c); got != "footnote is busy right now. Retry in a few seconds." {
			t.Errorf("reply %q", got)
		}
		release()
		h.edit(a, nil)
		h.edit(b, nil)
	})

	t.Run("shutdown lets in-flight answers finish and tells newcomers to retry", func(t *testing.T) {
		eng := newFakeEngine()
		release := blockingAsk(eng)
		h := newHarness(t, eng)
		s := h.ask(guildA, alice, "slow?")
		h.callback(s)
		closed := make(chan error, 1)
		go func() { closed <- h.bot.Close(context.Background()) }()
		for !h.bot.pool.isClosing() {
			time.Sleep(time.Millisecond)
		}
		late := h.ask(guildA, bob, "late?")
		if got := h.ephemeralError(late); got != "footnote is restarting. Retry in a few seconds." {
			t.Errorf("reply %q", got)
		}
		// Close is draining (it refused the late question) and the answer is blocked, so
		// Close cannot have returned.
		select {
		case err := <-closed:
			t.Fatalf("Close returned %v with an answer still in flight", err)
		default:
		}
		release()
		if err := <-closed; err != nil {
			t.Errorf("Close: %v", err)
		}
		h.edit(s, func(c string) bool { return c == "Yes [1]." })
	})

	t.Run("shutdown cancels an answer that outlasts the grace period and tells its member to retry", func(t *testing.T) {
		eng := newFakeEngine()
		release := blockingAsk(eng)
		defer release()
		h := newHarness(t, eng, func(c *Config) { c.ShutdownGrace = 100 * time.Millisecond })
		stuck := h.ask(guildA, alice, "stuck?")
		h.callback(stuck)
		if err := h.bot.Close(context.Background()); err != nil {
			t.Errorf("Close = %v, want nil: the member was told", err)
		}
		if got := h.ephemeralError(stuck); got != "footnote restarted before it could finish. Try again in a moment." {
			t.Errorf("reply %q", got)
		}
		if !strings.Contains(h.logs.String(), "outlasted the shutdown grace; cancelled, their members were told to retry\" requests=1") {
			t.Errorf("the log does not say a request was cancelled:\n%s", h.logs)
		}
	})

	t.Run("a question still queued when the grace period runs out is told to retry", func(t *testing.T) {
		eng := newFakeEngine()
		release := blockingAsk(eng)
		defer release()
		h := newHarness(t, eng, func(c *Config) {
			c.Workers, c.QueueSize, c.GuildConcurrency, c.ShutdownGrace = 1, 1, 10, 100*time.Millisecond
		})
		running, queued := h.ask(guildA, alice, "first?"), h.ask(guildA, bob, "second?")
		h.callback(running)
		h.callback(queued)
		if err := h.bot.Close(context.Background()); err != nil {
			t.Errorf("Close = %v, want nil: both members were told", err)
		}
		for _, s := range []sent{running, queued} {
			if got := h.ephemeralError(s); got != "footnote restarted before it could finish. Try again in a moment." {
				t.Errorf("%s: reply %q", s.token, got)
			}
		}
	})

	t.Run("shutdown reports work that ignores its cancellation", func(t *testing.T) {
		eng := newFakeEngine()
		ch := make(chan struct{})
		defer close(ch)
		eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
			<-ch // deaf to its context
			return nil, context.Canceled
		}
		h := newHarness(t, eng, func(c *Config) { c.ShutdownGrace = 100 * time.Millisecond })
		h.callback(h.ask(guildA, alice, "deaf?"))
		err := h.bot.Close(context.Background())
		if err == nil || !strings.Contains(err.Error(), "1 request(s) still running") {
			t.Errorf("Close = %v, want the abandoned request reported", err)
		}
	})
}

func TestRateLimiter(t *testing.T) {
	l := newRateLimiter(6)
	now := time.Unix(1000, 0)
	for i := 0; i < 6; i++ {
		if err := l.allow("g/u", now); err != nil {
			t.Fatalf("request %d refused: %v", i+1, err)
		}
	}
	tests := []struct {
		name  string
		after time.Duration
		ok    bool
	}{
		{"the seventh request in the same instant is refused", 0, false},
		{"a request five seconds later is still refused", 5 * time.Second, false},
		{"a request ten seconds later gets the refilled token", 10 * time.Second, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.allow("g/u", now.Add(tc.after))
			if (err == nil) != tc.ok {
				t.Errorf("allow = %v, want ok %v", err, tc.ok)
			}
		})
	}
	t.Run("the refusal says how long to wait", func(t *testing.T) {
		err := l.allow("g/u", now.Add(10*time.Second))
		rl, ok := err.(*rateLimitedError)
		if !ok || rl.retry != 10*time.Second {
			t.Errorf("err = %v, want a 10s wait", err)
		}
	})
}
