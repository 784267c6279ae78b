package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestPercentile(t *testing.T) {
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(i + 1)
	}
	many := make([]float64, 272)
	for i := range many {
		many[i] = float64(i + 1)
	}
	for _, tc := range []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		{name: "no values give zero", sorted: nil, p: 50, want: 0},
		{name: "one value is every percentile", sorted: []float64{7}, p: 99, want: 7},
		{name: "the median of 1..100 is 50 by nearest rank", sorted: hundred, p: 50, want: 50},
		{name: "p99 of 1..100 is 99", sorted: hundred, p: 99, want: 99},
		{name: "p99 of 272 questions is the third slowest", sorted: many, p: 99, want: 270},
		{name: "p100 is the slowest", sorted: many, p: 100, want: 272},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("percentile(p%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestSummarise(t *testing.T) {
	l := summarise([]float64{4, 1, 3, 2})
	if want := (latency{N: 4, P50: 2, P99: 4, Mean: 2.5, Max: 4}); l != want {
		t.Errorf("summarise = %+v, want %+v", l, want)
	}
}

func TestReadTimes(t *testing.T) {
	t.Run("every line's took_ms is read in order", func(t *testing.T) {
		got, err := readTimes([]byte(`{"id":"a","took_ms":1.5,"results":[]}` + "\n\n" + `{"id":"b","took_ms":20}` + "\n"))
		if err != nil || !reflect.DeepEqual(got, []float64{1.5, 20}) {
			t.Errorf("readTimes = %v, %v", got, err)
		}
	})
	t.Run("a failed question fails the run and is named", func(t *testing.T) {
		_, err := readTimes([]byte(`{"id":"a","took_ms":1}` + "\n" + `{"id":"b","took_ms":2,"error":"database unavailable"}` + "\n"))
		if err == nil || !strings.Contains(err.Error(), "question b failed: database unavailable") {
			t.Errorf("readTimes error = %v", err)
		}
	})
	t.Run("a line that is not JSON fails the run", func(t *testing.T) {
		if _, err := readTimes([]byte("not json\n")); err == nil {
			t.Error("readTimes accepted a line that is not JSON")
		}
	})
}

func TestSlowest(t *testing.T) {
	run := []byte(`{"id":"a","took_ms":5}` + "\n" + `{"id":"b","took_ms":50}` + "\n" + `{"id":"c","took_ms":20}` + "\n")
	if got := slowest(run, 2); !reflect.DeepEqual(got, []string{"b", "c"}) {
		t.Errorf("slowest = %v, want [b c]", got)
	}
	if got := slowest(run, 10); len(got) != 3 {
		t.Errorf("slowest of 3 lines asked for 10 = %v, want all 3", got)
	}
}

func TestReadHitAt1(t *testing.T) {
	if h, err := readHitAt1([]byte(`{"hit@1": 0.8566, "hit@3": 0.9, "n": 272, "missing": 0}` + "\n")); err != nil || h != 0.8566 {
		t.Errorf("readHitAt1 = %v, %v", h, err)
	}
	if _, err := readHitAt1([]byte(`{"hit@3": 0.9}`)); err == nil {
		t.Error("a score without hit@1 was accepted")
	}
}
