package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestBatchInputAccountsForEveryLine(t *testing.T) {
	q := func(id string) string { return `{"id":"` + id + `","question":"When does the tram open?"}` }
	tests := []struct {
		name  string
		input string
		ids   []string // the ids answered, in order; "" for an error line
		bad   []string // what stderr must say
	}{
		{"CR-only line ends are separate questions", q("a") + "\r" + q("b") + "\r", []string{"a", "b"}, nil},
		{"CRLF line ends are one each", q("a") + "\r\n" + q("b") + "\r\n", []string{"a", "b"}, nil},
		{"a byte-order mark at the start is skipped", "\uFEFF" + q("a") + "\n", []string{"a"}, nil},
		{"two questions on one line are an error line, not one answer", q("a") + q("b") + "\n" + q("c") + "\n",
			[]string{"", "c"}, []string{"line 1: not a JSON object {\"id\",\"question\"}: more than one JSON value on the line: it holds 2"}},
		{"text after a question is an error line", q("a") + " trailing\n", []string{""},
			[]string{"line 1: not a JSON object {\"id\",\"question\"}: text after the JSON value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, stderr bytes.Buffer
			_ = eachBatchLine("search", strings.NewReader(tt.input), &out, &stderr, 1, func(l batchLine) (any, bool) {
				return map[string]string{"id": l.ID}, false
			})
			var ids []string
			for _, m := range jsonLines(t, out.String()) {
				ids = append(ids, m["id"].(string))
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("answered %q, want %q", ids, tt.ids)
			}
			for _, b := range tt.bad {
				if !strings.Contains(stderr.String(), b) {
					t.Errorf("stderr = %q, want %q", stderr.String(), b)
				}
			}
		})
	}
}

// With --parallel, lines are answered at once but written in input order, whichever
// finishes first, and a bad line among them is still reported in its place.
func TestBatchParallelKeepsInputOrder(t *testing.T) {
	var in strings.Builder
	var want []string
	for i := range 40 {
		if i == 17 {
			in.WriteString("not json\n")
			want = append(want, "")
			continue
		}
		id := strconv.Itoa(i)
		in.WriteString(`{"id":"` + id + `","question":"q"}` + "\n")
		want = append(want, id)
	}
	var running, most atomic.Int32
	var out, stderr bytes.Buffer
	err := eachBatchLine("search", strings.NewReader(in.String()), &out, &stderr, 8, func(l batchLine) (any, bool) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		i, _ := strconv.Atoi(l.ID)
		time.Sleep(time.Duration(40-i) * 200 * time.Microsecond) // the first lines finish last
		running.Add(-1)
		return map[string]string{"id": l.ID}, false
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range jsonLines(t, out.String()) {
		ids = append(ids, m["id"].(string))
	}
	if !slices.Equal(ids, want) {
		t.Errorf("answered %q, want %q", ids, want)
	}
	if m := most.Load(); m < 2 || m > 8 {
		t.Errorf("at most %d lines were answered at once, want 2 to 8", m)
	}
	if !strings.Contains(stderr.String(), "line 18: not a JSON object") {
		t.Errorf("stderr = %q, want line 18 reported", stderr.String())
	}
}

// failingWriter accepts n writes, then fails every one: a reader that went away.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, errors.New("broken pipe")
	}
	w.n--
	return len(p), nil
}

// When the output fails, the batch stops reading: the questions left are not answered for
// nobody.
func TestBatchStopsWhenTheOutputFails(t *testing.T) {
	var in strings.Builder
	for i := range 1000 {
		in.WriteString(`{"id":"` + strconv.Itoa(i) + `","question":"q"}` + "\n")
	}
	for _, parallel := range []int{1, 4} {
		var asked atomic.Int32
		var stderr bytes.Buffer
		err := eachBatchLine("search", strings.NewReader(in.String()), &failingWriter{n: 2}, &stderr, parallel, func(l batchLine) (any, bool) {
			asked.Add(1)
			return map[string]string{"id": l.ID}, false
		})
		if err == nil || !strings.Contains(err.Error(), "broken pipe") {
			t.Errorf("parallel %d: error = %v, want the output's", parallel, err)
		}
		if n := asked.Load(); n > int32(3+2*parallel) {
			t.Errorf("parallel %d: %d questions answered after the output failed at the third, want at most %d", parallel, n, 3+2*parallel)
		}
	}
}

func TestCLIImportReportsEveryLineAndEveryCut(t *testing.T) {
	c, coll, dir, _ := newCLI(t)
	file := filepath.Join(dir, "mixed.jsonl")
	title := strings.Repeat("t", 1<<20)
	input := "\uFEFF" + `{"url":"https://news.example/a","text":"The ferry runs again."}` + "\r\n" +
		`{"url":"https://news.example/b","title":"` + title + `","text":"The tram opens in March."}` + "\r" +
		`{"url":"https://news.example/c","text":"One."}{"url":"https://news.example/d","text":"Two."}` + "\n" +
		`{"url":"https://news.example/e","text":"The bridge reopens."} and more` + "\n"
	if err := os.WriteFile(file, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr := c.must(t, "", "import", "--collection", coll, file)
	if !strings.HasPrefix(out, "imported 4 lines in ") || !strings.Contains(out, ": 2 added, 0 updated, 0 unchanged, 0 duplicates, 2 failed;") {
		t.Errorf("stdout = %q, want 4 lines: 2 added, 2 failed", out)
	}
	for _, want := range []string{
		file + ": line 2: warning: title cut to 300 characters (it had 1048576)",
		file + ": line 3: invalid input: more than one JSON value on the line: it holds 2 (is a line break missing?)",
		file + `: line 4: invalid input: text after the JSON value: "and more"`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr = %q, want %q", stderr, want)
		}
	}
	if strings.Contains(stderr, "line 1:") {
		t.Errorf("the byte-order mark failed line 1: %q", stderr)
	}
}
