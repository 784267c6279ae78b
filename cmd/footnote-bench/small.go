package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// smallStats is the search cost of the small collections that share the database.
type smallStats struct {
	Collections  int     `json:"collections"`
	ArticlesEach int     `json:"articles_each"`
	Sampled      int     `json:"sampled"`
	Latency      latency `json:"latency"`
}

// smallFirst is the synthetic article the small collections start from, far past any
// main corpus (280k articles use 0 .. 277,774), so no article is in two collections.
const smallFirst = 10_000_000

// smallSample is how many of the small collections are searched: enough for a p99 over
// thousands of queries, few enough to take seconds, not minutes.
const smallSample = 20

// importSmall imports o.small collections of o.smallSize synthetic articles each, one
// `footnote import` per collection as a guild's would be filled.
func importSmall(ctx context.Context, o options, dsn string) error {
	total := o.small * o.smallSize
	o.logf("importing %d small collections of %d articles", o.small, o.smallSize)
	cmd := exec.CommandContext(ctx, filepath.Join(o.shared, "tools/synth-corpus"), strconv.Itoa(smallFirst), strconv.Itoa(total))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("small collections: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("small collections: synth-corpus: %w", err)
	}
	defer cmd.Wait()
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	path := filepath.Join(o.workDir, "small.jsonl")
	defer os.Remove(path)
	for c := range o.small {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("small collections: %w", err)
		}
		for n := 0; n < o.smallSize && sc.Scan(); n++ {
			f.Write(append(sc.Bytes(), '\n'))
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("small collections: %w", err)
		}
		if _, err := footnote(ctx, o, dsn, nil, "import", "--collection", smallCollection(c), path); err != nil {
			return fmt.Errorf("small collection %d: %w", c, err)
		}
		if (c+1)%100 == 0 {
			o.logf("small collections: %d of %d", c+1, o.small)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("small collections: %w", err)
	}
	return nil
}

// searchSmall asks the squad-dev questions of smallSample small collections spread over
// them, each once to warm and once measured in the same process. The questions are not
// about these articles: what is measured is the cost of a search in a small collection
// beside large ones.
func searchSmall(ctx context.Context, o options, dsn string) (*smallStats, error) {
	questions, err := os.ReadFile(squadQuestions(o.shared))
	if err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	s := &smallStats{Collections: o.small, ArticlesEach: o.smallSize, Sampled: min(o.small, smallSample)}
	o.logf("search in %d small collections", s.Sampled)
	var times []float64
	for i := range s.Sampled {
		coll := smallCollection(i * o.small / s.Sampled)
		run, err := searchRun(ctx, o, dsn, coll, questions)
		if err != nil {
			return nil, err
		}
		t, err := readTimes(run.joined(time.Time{}, time.Time{}))
		if err != nil {
			return nil, err
		}
		times = append(times, t...)
	}
	s.Latency = summarise(times)
	return s, nil
}
