package redact

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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

// Writer returns a writer that masks secrets in each write before passing it to w. A
// secret split across two writes escapes it: it is for streams written a line or a message
// at a time (footnote's standard output and error). Unwrap returns w.
func (r *Redactor) Writer(w io.Writer) io.Writer { return &writer{r: r, w: w} }

type writer struct {
	r *Redactor
	w io.Writer
}

// Write writes p with its secrets masked and reports len(p) written when all of that went.
func (w *writer) Write(p []byte) (int, error) {
	s := string(p)
	masked := w.r.String(s)
	if masked == s {
		return w.w.Write(p)
	}
	if _, err := io.WriteString(w.w, masked); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Unwrap returns the writer written to, for callers that ask what it is (a terminal?).
func (w *writer) Unwrap() io.Writer { return w.w }
