package bot

import (
	"context"
	"sync"
	"time"
)

// liveMessage keeps one Discord message showing a job's progress. set records the latest
// count from the job's own goroutine and returns at once; a goroutine of liveMessage's
// edits the message with render's text at most once a period, and only when the count has
// moved, so a fast job costs a few edits and never waits on Discord.
type liveMessage struct {
	edit   func(ctx context.Context, content string) error
	render func(done, total int, elapsed time.Duration) string
	onErr  func(error) // a failed edit; the next one is tried all the same
	now    func() time.Time
	start  time.Time

	mu          sync.Mutex
	done, total int
	changed     bool

	stopOnce      sync.Once
	stop, stopped chan struct{}
}

// startLive starts editing with edit every period, until close or ctx's end.
func startLive(ctx context.Context, every time.Duration, now func() time.Time,
	edit func(context.Context, string) error, render func(done, total int, elapsed time.Duration) string,
	onErr func(error)) *liveMessage {
	l := &liveMessage{edit: edit, render: render, onErr: onErr, now: now, start: now(),
		stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(l.stopped)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if text, ok := l.pending(); ok {
				if err := l.edit(ctx, text); err != nil {
					l.onErr(err)
				}
			}
		}
	}()
	return l
}

// set records that done of total things are done.
func (l *liveMessage) set(done, total int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done, l.total, l.changed = done, total, true
}

// counts returns the last count set.
func (l *liveMessage) counts() (done, total int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.done, l.total
}

// pending returns the text to show when the count moved since the last edit.
func (l *liveMessage) pending() (string, bool) {
	l.mu.Lock()
	d, t, c := l.done, l.total, l.changed
	l.changed = false
	l.mu.Unlock()
	if !c {
		return "", false
	}
	return l.render(d, t, l.now().Sub(l.start)), true
}

// close stops the edits and returns once none is in flight, so that the caller's final
// edit is the last one.
func (l *liveMessage) close() {
	l.stopOnce.Do(func() { close(l.stop) })
	<-l.stopped
}
