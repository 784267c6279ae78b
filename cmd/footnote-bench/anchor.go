package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// anchor is the Xapian anchor's figures over the same passages and questions.
type anchor struct {
	Passages     int     `json:"passages"`
	IndexSeconds float64 `json:"index_seconds"`
	Search       latency `json:"search"`
	HitAt1       float64 `json:"hit_at_1"`
}

// runAnchor exports the collection's passages and runs the Xapian script over them: it
// indexes them with BM25 (Xapian's default weighting) and the English stemmer, runs the
// questions once to warm and once measured, and writes the measured run in `footnote
// search --batch`'s format, which is read here as footnote's is.
func runAnchor(ctx context.Context, o options, dsn, name string) (*anchor, error) {
	passages := filepath.Join(o.workDir, "passages-"+name+".jsonl")
	run := filepath.Join(o.workDir, "xapian-run-"+name+".jsonl")
	index := filepath.Join(o.workDir, "xapian-"+name)
	defer os.Remove(passages)
	defer os.Remove(run)
	defer os.RemoveAll(index)
	n, err := exportPassages(ctx, dsn, o.collection, passages)
	if err != nil {
		return nil, err
	}
	o.logf("%s: Xapian anchor over %d passages", name, n)
	cmd := exec.CommandContext(ctx, o.python, o.xapian, passages, squadQuestions(o.shared), run, index)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("xapian anchor: %w: %s", err, lastLines(stderr.String(), 5))
	}
	a := &anchor{}
	if err := json.Unmarshal(bytes.TrimSpace(out), a); err != nil {
		return nil, fmt.Errorf("xapian anchor: read its summary %q: %w", out, err)
	}
	data, err := os.ReadFile(run)
	if err != nil {
		return nil, fmt.Errorf("xapian anchor: %w", err)
	}
	times, err := readTimes(data)
	if err != nil {
		return nil, fmt.Errorf("xapian anchor: %w", err)
	}
	a.Search = summarise(times)
	if a.HitAt1, err = score(ctx, o, data); err != nil {
		return nil, fmt.Errorf("xapian anchor: %w", err)
	}
	return a, nil
}
