package redact

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// Handler returns a slog.Handler that masks secrets in every record's message and
// attribute values (strings, errors, Stringers and anything else shown as text), then
// passes the record to next.
func (r *Redactor) Handler(next slog.Handler) slog.Handler {
	return &handler{r: r, next: next}
}

type handler struct {
	r    *Redactor
	next slog.Handler
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.r.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = h.r.attr(a)
	}
	return &handler{r: h.r, next: h.next.WithAttrs(masked)}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{r: h.r, next: h.next.WithGroup(name)}
}

// attr returns a with its value's secrets masked. A value of another kind than string,
// group or any (numbers, times, durations) holds no secret.
func (r *Redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.String(v.String()))
	case slog.KindGroup:
		group := v.Group()
		masked := make([]any, len(group))
		for i, g := range group {
			masked[i] = r.attr(g)
		}
		return slog.Group(a.Key, masked...)
	case slog.KindAny:
		var s string
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
		case fmt.Stringer:
			s = x.String()
		case []byte:
			s = string(x)
		default:
			s = fmt.Sprintf("%+v", x)
		}
		// The value is kept as it was unless it held a secret, so that a handler still
		// formats what has none in its own way (JSON arrays, for one).
		if masked := r.String(s); masked != s {
			return slog.String(a.Key, masked)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// Writer returns a writer that masks secrets in what is written before passing it to w.
// It masks a line at a time, so that a secret written in two pieces is masked too: a
// write's unfinished last line is held back (up to maxHeld bytes) and written with what
// follows, or by Flush. A line redrawn in place (one holding a terminal escape, as a
// progress bar's "\r...\033[K") is written at once, masked within the write; so is a line
// longer than maxHeld. Writes may come from several goroutines. Unwrap returns w.
func (r *Redactor) Writer(w io.Writer) io.Writer { return &writer{r: r, w: w} }

// maxHeld is the longest unfinished line a Writer holds back: far longer than any
// secret, and short enough that holding it costs nothing.
const maxHeld = 64 << 10

type writer struct {
	r    *Redactor
	w    io.Writer
	mu   sync.Mutex
	held string // the last write's unfinished line, not written yet
}

// Write writes p with its secrets masked, but for an unfinished last line, and reports
// len(p) written when all of that went.
func (w *writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.held + string(p)
	cut := strings.LastIndexAny(s, "\n\r") + 1 // where the unfinished line begins
	if rest := s[cut:]; len(rest) > maxHeld || strings.Contains(rest, "\033") {
		cut = len(s)
	}
	w.held = s[cut:]
	if err := w.write(s[:cut]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// write writes s, masked, to w.w.
func (w *writer) write(s string) error {
	if s == "" {
		return nil
	}
	_, err := io.WriteString(w.w, w.r.String(s))
	return err
}

// Flush writes the word held back, masked.
func (w *writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.held
	w.held = ""
	return w.write(s)
}

// Unwrap returns the writer written to, for callers that ask what it is (a terminal?).
func (w *writer) Unwrap() io.Writer { return w.w }
