package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// These limits live in process memory: with several processes each keeps its own, which
// makes them approximate but never lets one member or guild starve the others on a process.

var (
	errBusy    = errors.New("too many requests in flight")
	errClosing = errors.New("shutting down")
)

// rateLimiter is a token bucket per key (guild and member): perMinute tokens at most,
// refilled continuously.
type rateLimiter struct {
	mu        sync.Mutex
	perMinute int
	buckets   map[string]*tokenBucket
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(perMinute int) *rateLimiter {
	return &rateLimiter{perMinute: perMinute, buckets: make(map[string]*tokenBucket)}
}

// rateLimitedError says a member is over the rate limit and when a token is back.
type rateLimitedError struct {
	retry     time.Duration
	perMinute int
}

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("rate limited (%d per minute), retry in %s", e.perMinute, e.retry)
}

// allow takes a token for key at time now; when there is none it returns a
// *rateLimitedError.
func (l *rateLimiter) allow(key string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	limit := float64(l.perMinute)
	perSecond := limit / 60
	if len(l.buckets) > 10000 {
		l.sweep(now, limit, perSecond)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &tokenBucket{tokens: limit, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(limit, b.tokens+now.Sub(b.last).Seconds()*perSecond)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return nil
	}
	wait := time.Duration((1 - b.tokens) / perSecond * float64(time.Second))
	return &rateLimitedError{retry: wait, perMinute: l.perMinute}
}

// sweep forgets buckets that have refilled, which are the same as absent ones.
func (l *rateLimiter) sweep(now time.Time, limit, perSecond float64) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*perSecond >= limit {
			delete(l.buckets, k)
		}
	}
}

// pool runs requests in the background with bounded concurrency: at most `workers` run
// at once, at most `workers+queue` are admitted, and at most `perGuild` of one guild are
// admitted at once. Admission never blocks: when full, the caller tells the member to retry.
type pool struct {
	mu       sync.Mutex
	closing  bool
	admitted int
	capacity int
	perGuild int
	guilds   map[string]int

	workers chan struct{} // semaphore held while a job runs
	wg      sync.WaitGroup
	ctx     context.Context // parent of every job; cancelled when a drain runs out of time
	cancel  context.CancelFunc
}

func newPool(workers, queue, perGuild int) *pool {
	ctx, cancel := context.WithCancel(context.Background())
	return &pool{
		capacity: workers + queue,
		perGuild: perGuild,
		guilds:   make(map[string]int),
		workers:  make(chan struct{}, workers),
		ctx:      ctx,
		cancel:   cancel,
	}
}

// ticket is an admitted request: run it with pool.start, or give the place back with release.
type ticket struct {
	p     *pool
	guild string
	once  sync.Once
}

// reserve admits one request of guild, or returns errBusy or errClosing.
func (p *pool) reserve(guild string) (*ticket, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closing:
		return nil, errClosing
	case p.admitted >= p.capacity, p.guilds[guild] >= p.perGuild:
		return nil, errBusy
	}
	p.admitted++
	p.guilds[guild]++
	p.wg.Add(1)
	return &ticket{p: p, guild: guild}, nil
}

// release gives the ticket's place back; it is safe to call more than once.
func (t *ticket) release() {
	t.once.Do(func() {
		p := t.p
		p.mu.Lock()
		p.admitted--
		if p.guilds[t.guild]--; p.guilds[t.guild] <= 0 {
			delete(p.guilds, t.guild)
		}
		p.mu.Unlock()
		p.wg.Done()
	})
}

// start runs fn in the background once a worker is free, under a context that ends at
// deadline (set from the request's arrival, so that time spent waiting for a worker counts
// against the interaction token's life) or when a drain gives up. onPanic is called (in
// that goroutine) if fn panics. When a drain gives up before a worker is free, fn never
// runs: dropped is called instead, with the ended context, so the member still hears why.
func (p *pool) start(t *ticket, deadline time.Time, fn func(ctx context.Context), onPanic func(ctx context.Context, v any), dropped func(ctx context.Context)) {
	go func() {
		defer t.release()
		select {
		case p.workers <- struct{}{}:
		case <-p.ctx.Done():
			dropped(p.ctx)
			return
		}
		defer func() { <-p.workers }()
		ctx, cancel := context.WithDeadline(p.ctx, deadline)
		defer cancel()
		defer func() {
			if v := recover(); v != nil {
				onPanic(ctx, v)
			}
		}()
		fn(ctx)
	}()
}

// inFlight reports how many requests are admitted and not finished.
func (p *pool) inFlight() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.admitted
}

// isClosing reports whether a drain has begun.
func (p *pool) isClosing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closing
}

// noticeWait bounds how long a drain that ran out of grace waits, after cancelling the
// requests left, for them to return: each tells its member to retry (two REST calls to
// Discord, a fraction of a second). It fits in the 5 s cmd/footnote's shutdown keeps
// beyond the grace.
const noticeWait = 3 * time.Second

// drain refuses new requests and waits for the admitted ones until ctx ends; then it
// cancels the ones left, which tell their members to retry, and waits for them up to
// noticeWait more. It returns how many were cancelled, and how many of those were still
// running when it stopped waiting.
func (p *pool) drain(ctx context.Context) (cancelled, abandoned int) {
	p.mu.Lock()
	p.closing = true
	p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		p.cancel()
		return 0, 0
	case <-ctx.Done():
	}
	cancelled = p.inFlight()
	p.cancel()
	t := time.NewTimer(noticeWait)
	defer t.Stop()
	select {
	case <-done:
		return cancelled, 0
	case <-t.C:
	}
	return cancelled, p.inFlight()
}
