// Package jsonl reads JSON Lines, one JSON value per line, the way `footnote import` and the
// --batch commands take them, so that every byte of the input ends up in a line the caller
// either uses or reports: a line ends at LF, CRLF or a lone CR (as text editors count
// lines); a UTF-8 byte-order mark at the very start is skipped; a line over the limit is
// read past and reported; and a line holds exactly one value, in valid UTF-8, with nothing
// after it.
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Errors of a line, for errors.Is. Decode's errors wrap one of the last four; a JSON syntax
// or type error is encoding/json's own.
var (
	// ErrTooLong is a line over the Reader's limit.
	ErrTooLong = errors.New("line too long")
	// ErrNotUTF8 is a line that is not valid UTF-8 (encoding/json would have replaced the
	// bad bytes with U+FFFD without a word).
	ErrNotUTF8 = errors.New("not valid UTF-8")
	// ErrSeveralValues is a line holding more than one JSON value: usually two records
	// whose line break was lost.
	ErrSeveralValues = errors.New("more than one JSON value on the line")
	// ErrTrailing is a line with text after its JSON value.
	ErrTrailing = errors.New("text after the JSON value")
	// ErrEmpty is a line with nothing but white space, given to Decode.
	ErrEmpty = errors.New("no JSON value on the line")
)

// bom is the UTF-8 byte-order mark some editors put at the start of a file.
var bom = []byte{0xEF, 0xBB, 0xBF}

// Reader reads an input a line at a time.
type Reader struct {
	br      *bufio.Reader
	max     int
	n       int  // number of the line last returned
	started bool // the byte-order mark has been looked for
}

// NewReader returns a Reader of r whose lines may hold up to max bytes (line end excluded).
func NewReader(r io.Reader, max int) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 1<<20), max: max}
}

// Next returns the next line without its line end, and its number, counted from 1. At the
// end of the input it returns io.EOF. A line over the limit is read past and returned
// without its bytes and with an error wrapping ErrTooLong; the next call goes on with the
// following line. Any other read error is returned as is and ends the input.
func (r *Reader) Next() (n int, line []byte, err error) {
	if !r.started {
		r.started = true
		if p, _ := r.br.Peek(len(bom)); bytes.Equal(p, bom) {
			_, _ = r.br.Discard(len(bom))
		}
	}
	var buf []byte
	tooLong, read := false, false
	for {
		if _, err := r.br.Peek(1); err != nil {
			if err == io.EOF && read {
				break // a last line without a line end
			}
			return 0, nil, err
		}
		read = true
		chunk, _ := r.br.Peek(r.br.Buffered())
		end := bytes.IndexAny(chunk, "\r\n")
		part := chunk
		if end >= 0 {
			part = chunk[:end]
		}
		if !tooLong && len(buf)+len(part) <= r.max {
			buf = append(buf, part...)
		} else {
			tooLong, buf = true, nil
		}
		_, _ = r.br.Discard(len(part))
		if end >= 0 {
			if c, _ := r.br.ReadByte(); c == '\r' {
				if next, err := r.br.Peek(1); err == nil && next[0] == '\n' {
					_, _ = r.br.Discard(1) // CRLF is one line end
				}
			}
			break
		}
	}
	r.n++
	if tooLong {
		return r.n, nil, fmt.Errorf("%w: over %d bytes", ErrTooLong, r.max)
	}
	if buf == nil {
		buf = []byte{}
	}
	return r.n, buf, nil
}

// Blank reports whether line holds nothing but JSON white space (space, tab, CR, LF): a
// line a reader may skip without losing anything.
func Blank(line []byte) bool { return len(trimSpace(line)) == 0 }

// Decode decodes line into v. The line must hold exactly one JSON value, white space around
// it aside, in valid UTF-8. It fails with an error wrapping ErrEmpty, ErrNotUTF8,
// ErrSeveralValues or ErrTrailing, or with encoding/json's error when the value is
// malformed or does not fit v.
func Decode(line []byte, v any) error {
	if !utf8.Valid(line) {
		return fmt.Errorf("%w: bad byte at offset %d", ErrNotUTF8, invalidAt(line))
	}
	if Blank(line) {
		return ErrEmpty
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(v); err != nil {
		return err
	}
	rest := trimSpace(line[dec.InputOffset():])
	if len(rest) == 0 {
		return nil
	}
	values := 1
	more := json.NewDecoder(bytes.NewReader(rest))
	for {
		var raw json.RawMessage
		if more.Decode(&raw) != nil {
			break
		}
		values++
	}
	if values > 1 && len(trimSpace(rest[more.InputOffset():])) == 0 {
		return fmt.Errorf("%w: it holds %d (is a line break missing?)", ErrSeveralValues, values)
	}
	return fmt.Errorf("%w: %q", ErrTrailing, clip(rest, 40))
}

// CountLines returns the number of lines of r as Reader counts them: LF, CRLF and a lone
// CR each end a line, and text after the last line end is one more line. It fails only
// when r does.
func CountLines(r io.Reader) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	var last byte
	seen := false
	for {
		k, err := r.Read(buf)
		if k > 0 {
			b := buf[:k]
			n += int64(bytes.Count(b, []byte{'\n'}) + bytes.Count(b, []byte{'\r'}) - bytes.Count(b, []byte("\r\n")))
			if last == '\r' && b[0] == '\n' {
				n-- // a CRLF split between two reads
			}
			last, seen = b[k-1], true
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if seen && last != '\n' && last != '\r' {
		n++
	}
	return n, nil
}

// trimSpace drops JSON white space from both ends of b.
func trimSpace(b []byte) []byte { return bytes.Trim(b, " \t\r\n") }

// invalidAt is the offset of the first byte of b that is not part of valid UTF-8.
func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// clip is b cut to at most n bytes, at a rune boundary, with "…" when it was cut.
func clip(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return string(b[:n]) + "…"
}
