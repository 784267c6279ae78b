package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/retrieval"
)

// How often progress shows without being asked: a terminal's bar is redrawn at least every
// barEvery (so the rate and time left move while a slow batch runs); off a terminal (a pipe,
// a log file) a plain line is written every lineEvery, often enough to show life, rarely
// enough not to flood a log.
const (
	barEvery  = time.Second
	lineEvery = 5 * time.Second
	// barMin keeps a fast job from redrawing the bar for every item.
	barMin = 100 * time.Millisecond
)

// progress reports a long job on stderr: how many things are done, how fast, and, when the
// total is known, the share done and the time left.
type progress struct {
	w    io.Writer
	noun string // what count counts, singular: "line", "passage"
	tty  bool
	now  func() time.Time
	// line, when set, renders the whole status, bar included, from count, total and the
	// time since the start (a reindex's bot.ProgressLine); nil draws the bar and status.
	line func(count, total int, elapsed time.Duration) string

	mu    sync.Mutex
	total int64 // the end of pos; 0 when unknown
	pos   int64 // how far toward total (the file's line reached, passages done)
	count int64 // things done
	start time.Time
	last  time.Time // when the bar was last drawn
	drawn bool      // a bar is on the terminal's line

	stop, stopped chan struct{}
}

// newProgress starts reporting on w, as a bar when w is a terminal.
func newProgress(w io.Writer, noun string, total int64) *progress {
	tty := isTerminal(w)
	every := lineEvery
	if tty {
		every = barEvery
	}
	return startProgress(w, noun, total, tty, every, time.Now)
}

// isTerminal reports whether w writes to a terminal, looking through writers that wrap
// another (Unwrap, as the redacting writer footnote's streams go through).
func isTerminal(w io.Writer) bool {
	for {
		u, ok := w.(interface{ Unwrap() io.Writer })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// startProgress is newProgress with the terminal test, the period and the clock given.
func startProgress(w io.Writer, noun string, total int64, tty bool, every time.Duration, now func() time.Time) *progress {
	p := &progress{w: w, noun: noun, tty: tty, now: now, total: total, start: now(),
		stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.tick()
			}
		}
	}()
	return p
}

// set records progress: pos toward the total, count things done. A terminal's bar is
// redrawn (at most every barMin).
func (p *progress) set(pos, count int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pos, p.count = pos, count
	if p.tty && p.now().Sub(p.last) >= barMin {
		p.draw()
	}
}

// tick shows progress on the period: the bar redrawn, or a plain line.
func (p *progress) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		p.draw()
		return
	}
	if p.line != nil {
		fmt.Fprintf(p.w, "progress: %s\n", p.line(int(p.count), int(p.total), p.now().Sub(p.start)))
		return
	}
	fmt.Fprintf(p.w, "progress: %s\n", p.status())
}

func (p *progress) draw() {
	p.last = p.now()
	p.drawn = true
	if p.line != nil {
		fmt.Fprintf(p.w, "\r%s\033[K", p.line(int(p.count), int(p.total), p.now().Sub(p.start)))
		return
	}
	const width = 30
	fill := 0
	if p.total > 0 {
		fill = int(min(max(float64(p.pos)/float64(p.total), 0), 1) * width)
	}
	fmt.Fprintf(p.w, "\r[%s%s] %s\033[K", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), p.status())
}

// status is "1234 lines (42%), 310 lines/s, about 12s left" ("1 line" for one); the share and the time left
// only when the total is known.
func (p *progress) status() string {
	elapsed := p.now().Sub(p.start)
	s := counted(int(p.count), p.noun)
	if p.total > 0 {
		s += fmt.Sprintf(" (%.0f%%)", 100*min(float64(p.pos)/float64(p.total), 1))
	}
	if elapsed >= time.Second {
		s += fmt.Sprintf(", %.0f %ss/s", float64(p.count)/elapsed.Seconds(), p.noun)
	}
	if p.total > 0 && p.pos > 0 && elapsed >= time.Second {
		left := time.Duration(float64(elapsed) * float64(max(p.total-p.pos, 0)) / float64(p.pos))
		s += ", about " + left.Round(time.Second).String() + " left"
	}
	return s
}

// println writes a line of its own (a bad line's report), moving the bar out of its way.
func (p *progress) println(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintln(p.w, s)
}

func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// done stops the reporting and removes the bar; nothing is written after it returns.
func (p *progress) done() {
	close(p.stop)
	<-p.stopped
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

// lineProgress shows an import's progress: lines done, and the share of the file's lines
// when their number is known (a regular file's are counted before the import starts).
type lineProgress struct {
	name string // the file, to name it in a bad line's report
	bar  *progress
	done int64
	last int // the last line reported: every line up to it is done
}

// line is Engine.Import's callback: line r.Line is done. A failed line's error, and each
// warning about a stored line, is printed above the bar.
func (l *lineProgress) line(r retrieval.LineReport) {
	if r.Err != nil {
		l.bar.println(fmt.Sprintf("%s: %v", l.name, r.Err))
	}
	for _, w := range r.Warnings {
		l.bar.println(fmt.Sprintf("%s: line %d: warning: %s", l.name, r.Line, w))
	}
	l.done++
	l.last = r.Line
	l.bar.set(int64(r.Line), l.done)
}

// passageProgress shows a reindex's progress in passages, which is what Engine.Reindex
// counts, in the bot's words (bot.ProgressLine), so the terminal and the Discord message
// read the same; the bar starts with the first report, which brings the total.
type passageProgress struct {
	w     io.Writer
	start func(w io.Writer, noun string, total int64) *progress // newProgress, or a test's
	bar   *progress
}

// batch is Engine.Reindex's callback: done of total passages are reindexed.
func (p *passageProgress) batch(done, total int) {
	if p.bar == nil {
		p.bar = p.start(p.w, "passage", int64(total))
		p.bar.mu.Lock()
		p.bar.line = func(count, total int, elapsed time.Duration) string {
			return bot.ProgressLine(count, total, "passage", elapsed)
		}
		p.bar.mu.Unlock()
	}
	p.bar.set(int64(done), int64(done))
}

// stop removes the bar, if one was started.
func (p *passageProgress) stop() {
	if p.bar != nil {
		p.bar.done()
	}
}
