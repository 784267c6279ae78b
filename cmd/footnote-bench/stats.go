package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// latency summarises the took_ms of a run of queries.
type latency struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P99  float64 `json:"p99_ms"`
	Mean float64 `json:"mean_ms"`
	Max  float64 `json:"max_ms"`
}

// percentile returns the nearest-rank p-th percentile of sorted (ascending): the smallest
// value at or above which p% of the values lie. With 272 questions p99 is the third
// slowest. It is 0 for no values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// summarise returns the latency figures of ms (in any order).
func summarise(ms []float64) latency {
	s := append([]float64(nil), ms...)
	sort.Float64s(s)
	l := latency{N: len(s), P50: percentile(s, 50), P99: percentile(s, 99)}
	for _, v := range s {
		l.Mean += v
	}
	if len(s) > 0 {
		l.Mean /= float64(len(s))
		l.Max = s[len(s)-1]
	}
	return l
}

// runLine is the part of a `footnote search --batch` line (or of the Xapian anchor's, which
// writes the same) that the bench reads.
type runLine struct {
	ID     string  `json:"id"`
	TookMS float64 `json:"took_ms"`
	Error  string  `json:"error"`
}

// readTimes returns the took_ms of every line of a batch run. A line with an error fails it:
// a failed query's time is not a search's time.
func readTimes(run []byte) ([]float64, error) {
	var out []float64
	sc := bufio.NewScanner(bytes.NewReader(run))
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var l runLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("line %d of the run: %w", n, err)
		}
		if l.Error != "" {
			return nil, fmt.Errorf("line %d of the run: question %s failed: %s", n, l.ID, l.Error)
		}
		out = append(out, l.TookMS)
	}
	return out, sc.Err()
}

// slowest returns the ids of the n slowest lines of a batch run, slowest first.
func slowest(run []byte, n int) []string {
	var ls []runLine
	sc := bufio.NewScanner(bytes.NewReader(run))
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		var l runLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.ID != "" {
			ls = append(ls, l)
		}
	}
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].TookMS > ls[j].TookMS })
	var ids []string
	for _, l := range ls[:min(n, len(ls))] {
		ids = append(ids, l.ID)
	}
	return ids
}

// readHitAt1 reads hit@1 from score-retrieval's one JSON line.
func readHitAt1(out []byte) (float64, error) {
	var s map[string]float64
	if err := json.Unmarshal(bytes.TrimSpace(out), &s); err != nil {
		return 0, fmt.Errorf("read score-retrieval's output %q: %w", out, err)
	}
	h, ok := s["hit@1"]
	if !ok {
		return 0, fmt.Errorf("score-retrieval's output has no hit@1: %s", out)
	}
	return h, nil
}
