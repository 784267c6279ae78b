package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestRotate(t *testing.T) {
	questions := []byte("a\nb\nc\nd") // no newline at the end, as a hand-edited file may have
	for _, tc := range []struct {
		name string
		i, n int
		want string
	}{
		{name: "the first stream starts at the first question", i: 0, n: 2, want: "a\nb\nc\nd\n"},
		{name: "the second of two starts half way and wraps round", i: 1, n: 2, want: "c\nd\na\nb\n"},
		{name: "a line that ended the file gets its newline when it moves", i: 3, n: 4, want: "d\na\nb\nc\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(rotate(questions, tc.i, tc.n)); got != tc.want {
				t.Errorf("rotate(%d of %d) = %q, want %q", tc.i, tc.n, got, tc.want)
			}
		})
	}
}

func TestWarmThenMeasure(t *testing.T) {
	in := []byte(`{"id":"q1","question":"Who?","answers":["x"]}` + "\n" + `{"id":"q2","question":"When?"}` + "\n")
	out, err := warmThenMeasure(in)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want every question twice:\n%s", len(lines), out)
	}
	var first struct{ ID, Question string }
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.ID != "warm:q1" || first.Question != "Who?" {
		t.Errorf("the warm-up's first line = %s (%v), want q1's question under id warm:q1", lines[0], err)
	}
	if !bytes.HasSuffix(out, in) {
		t.Errorf("the measured half is not the questions as given:\n%s", out)
	}
	if _, err := warmThenMeasure([]byte("oops\n")); err == nil {
		t.Error("a questions file that is not JSON was accepted")
	}
}

func TestOverlapAndJoined(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	runs := []timedRun{
		{start: at(0), lines: [][]byte{[]byte("a1"), []byte("a2"), []byte("a3")}, arrived: []time.Time{at(1), at(2), at(3)}},
		{start: at(1.5), lines: [][]byte{[]byte("b1"), []byte("b2")}, arrived: []time.Time{at(2), at(2.5)}},
	}
	from, to := overlap(runs)
	if !from.Equal(at(1.5)) || !to.Equal(at(2.5)) {
		t.Fatalf("overlap = %v..%v, want the last start (1.5 s) to the first end (2.5 s)", from.Sub(t0), to.Sub(t0))
	}
	if got := string(runs[0].joined(from, to)); got != "a2\n" {
		t.Errorf("run a within the overlap = %q, want only the line that arrived in it", got)
	}
	if got := string(runs[1].joined(time.Time{}, time.Time{})); got != "b1\nb2\n" {
		t.Errorf("run b unbounded = %q, want every line", got)
	}
	if got := (timedRun{start: at(4)}).end(); !got.Equal(at(4)) {
		t.Errorf("a run with no measured line ends at %v, want its start", got.Sub(t0))
	}
}

// The one stream asks its questions several times so that its rate is measured over about
// as many questions as the streams'; its hit@1 must still count each question once.
func TestPassesAreTimedButScoredOnce(t *testing.T) {
	in := []byte(`{"id":"q1","question":"Who?"}` + "\n" + `{"id":"q2","question":"When?"}`) // no final newline
	out, err := passes(in, 3)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		var q struct{ ID, Question string }
		if err := json.Unmarshal([]byte(l), &q); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		ids = append(ids, q.ID)
	}
	want := []string{"q1", "q2", againPrefix + "q1", againPrefix + "q2", againPrefix + "q1", againPrefix + "q2"}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	// The answers, as footnote search --batch --json writes them.
	run := []byte(`{"id":"q1","took_ms":1}` + "\n" + `{"id":"q2","took_ms":2}` + "\n" +
		`{"id":"` + againPrefix + `q1","took_ms":3}` + "\n" + `{"id":"` + againPrefix + `q2","took_ms":4}` + "\n")
	times, err := readTimes(run)
	if err != nil || len(times) != 4 {
		t.Fatalf("readTimes: %v, %v; want all four timed", times, err)
	}
	if got, want := string(firstPass(run)), `{"id":"q1","took_ms":1}`+"\n"+`{"id":"q2","took_ms":2}`+"\n"; got != want {
		t.Errorf("firstPass = %q, want %q", got, want)
	}
	if out, err := passes(in, 1); err != nil || !bytes.Equal(out, append(in, '\n')) {
		t.Errorf("one pass = %q, %v; want the questions as they are", out, err)
	}
}
