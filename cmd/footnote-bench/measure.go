package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// sizeResult is everything measured at one corpus size.
type sizeResult struct {
	Size          int         `json:"size"`
	Database      string      `json:"database"`
	Articles      int64       `json:"articles"`
	Passages      int64       `json:"passages"`
	AllPassages   int64       `json:"all_passages"` // with the small collections'
	Import        importStats `json:"import"`
	VacuumSeconds float64     `json:"vacuum_seconds"`
	Storage       storage     `json:"storage"`
	Search        latency     `json:"search"`
	SearchQPS     float64     `json:"search_qps"`
	SearchQPSRuns []float64   `json:"search_qps_runs"` // before and after the streams; SearchQPS is over both
	HitAt1        float64     `json:"hit_at_1"`
	Slowest       []string    `json:"slowest_question_ids"`
	Streams       streamStats `json:"streams"`
	// OneProcess is the same streams answered by one footnote process (`search --batch
	// --parallel`), as one server answers members who ask at once; empty in runs from
	// before it was measured.
	OneProcess streamStats `json:"streams_one_process"`
	// Pooled is the separate processes again, through a transaction pooler (-pooler).
	Pooled *streamStats `json:"streams_pooled,omitempty"`
	Xapian *anchor      `json:"xapian,omitempty"`
	Small  *smallStats  `json:"small,omitempty"`
	Load   loadStats    `json:"load"`
}

// importStats is one `footnote import` of a whole corpus.
type importStats struct {
	Lines     int     `json:"lines"`
	Seconds   float64 `json:"seconds"`
	Rate      float64 `json:"articles_per_second"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
}

// storage is the database's size after the import, per passage.
type storage struct {
	Tables []tableSize `json:"tables"`
	Total  int64       `json:"database_bytes"`
	// BesidesVectors is the bytes per passage of every table but embeddings (which holds
	// the vectors and their HNSW index); Vectors is embeddings' bytes per passage.
	BesidesVectors float64 `json:"bytes_per_passage_besides_vectors"`
	Postings       float64 `json:"postings_bytes_per_passage"`
	PassagesTable  float64 `json:"passages_bytes_per_passage"`
	Vectors        float64 `json:"vector_bytes_per_passage"`
}

// streamStats is the concurrent search test.
type streamStats struct {
	Streams         int     `json:"streams"`
	Latency         latency `json:"latency"`
	QPS             float64 `json:"qps"`
	ThroughputRatio float64 `json:"throughput_vs_one_stream"`
	P99Ratio        float64 `json:"p99_vs_one_stream"`
}

// measureSize builds the corpus of n articles in a fresh database and measures it.
func measureSize(ctx context.Context, o options, n int) (r sizeResult, err error) {
	r = sizeResult{Size: n, Database: o.dbPrefix + "_" + sizeName(n)}
	dsn, err := dbURL(o.adminURL, r.Database)
	if err != nil {
		return r, err
	}
	load := startLoadSampler(ctx)
	defer func() { r.Load = load.stop() }()

	if o.reuse {
		o.logf("%s: reusing database %s", sizeName(n), r.Database)
		if r.Articles, r.Passages, r.AllPassages, err = readCounts(ctx, dsn, o.collection); err != nil {
			return r, err
		}
		return r, measureImported(ctx, o, dsn, n, &r)
	}
	o.logf("%s: fresh database %s", sizeName(n), r.Database)
	if err := recreateDB(ctx, o.adminURL, r.Database); err != nil {
		return r, err
	}
	if !o.keep {
		defer func() {
			if err := dropDB(context.WithoutCancel(ctx), o.adminURL, r.Database); err != nil {
				o.logf("%v", err)
			}
		}()
	}
	if _, err := footnote(ctx, o, dsn, nil, "migrate"); err != nil {
		return r, err
	}
	if o.small > 0 {
		if err := importSmall(ctx, o, dsn); err != nil {
			return r, err
		}
	}

	corpus := filepath.Join(o.workDir, "corpus-"+sizeName(n)+".jsonl")
	lines, err := writeCorpus(ctx, o.shared, corpus, n)
	if err != nil {
		return r, err
	}
	defer os.Remove(corpus)
	o.logf("%s: importing %d articles (the six squad-dev, BBC, synthetic)", sizeName(n), lines)
	wall, rss, err := runMeasured(ctx, o, dsn, "import", "--collection", o.collection, corpus)
	if err != nil {
		return r, err
	}
	if r.Articles, r.Passages, r.AllPassages, err = readCounts(ctx, dsn, o.collection); err != nil {
		return r, err
	}
	r.Import = importStats{Lines: lines, Seconds: wall.Seconds(), Rate: rate(int(r.Articles), wall), PeakRSSMB: float64(rss) / 1024}
	o.logf("%s: imported %d articles, %d passages in %s (%.0f articles/s, peak RSS %.0f MB)",
		sizeName(n), r.Articles, r.Passages, wall.Round(time.Second), r.Import.Rate, r.Import.PeakRSSMB)

	start := time.Now()
	if err := vacuumAnalyze(ctx, dsn); err != nil {
		return r, err
	}
	r.VacuumSeconds = time.Since(start).Seconds()
	return r, measureImported(ctx, o, dsn, n, &r)
}

// measureImported measures an imported database: its storage, search in the small
// collections and the large one, and the anchor.
func measureImported(ctx context.Context, o options, dsn string, n int, r *sizeResult) (err error) {
	if r.Storage, err = measureStorage(ctx, dsn, r.AllPassages); err != nil {
		return err
	}
	if o.small > 0 {
		if r.Small, err = searchSmall(ctx, o, dsn); err != nil {
			return err
		}
	}
	if err := measureSearch(ctx, o, dsn, r); err != nil {
		return err
	}
	if o.xapian != "" {
		if r.Xapian, err = runAnchor(ctx, o, dsn, sizeName(n)); err != nil {
			return err
		}
	}
	return nil
}

// measureStorage reads the table sizes and turns them into bytes per passage.
func measureStorage(ctx context.Context, dsn string, passages int64) (storage, error) {
	tables, total, err := readSizes(ctx, dsn)
	if err != nil {
		return storage{}, err
	}
	s := storage{Tables: tables, Total: total}
	if passages == 0 {
		return s, nil
	}
	per := func(b int64) float64 { return float64(b) / float64(passages) }
	for _, t := range tables {
		switch t.Table {
		case "embeddings":
			s.Vectors = per(t.Bytes)
			continue
		case "postings", "term_blocks", "term_stats":
			// The keyword index: postings before migration 016, its blocks and term
			// statistics after.
			s.Postings += per(t.Bytes)
		case "chunks":
			s.PassagesTable = per(t.Bytes)
		}
		s.BesidesVectors += per(t.Bytes)
	}
	return s, nil
}

// score runs score-retrieval over a batch run and returns its hit@1.
func score(ctx context.Context, o options, run []byte) (float64, error) {
	f, err := os.CreateTemp(o.workDir, "run-*.jsonl")
	if err != nil {
		return 0, fmt.Errorf("score: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(run); err != nil {
		f.Close()
		return 0, fmt.Errorf("score: %w", err)
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("score: %w", err)
	}
	out, err := exec.CommandContext(ctx, filepath.Join(o.shared, "tools/score-retrieval"), squadQuestions(o.shared), f.Name()).Output()
	if err != nil {
		return 0, fmt.Errorf("score-retrieval: %w", err)
	}
	return readHitAt1(out)
}

// footnote runs the footnote binary with args against dsn, on the offline defaults, with
// stdin as its input, and returns its standard output. Its standard error is returned in
// the error when it fails.
func footnote(ctx context.Context, o options, dsn string, stdin []byte, args ...string) ([]byte, error) {
	cmd := footnoteCmd(ctx, o, dsn, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("footnote %s: %w: %s", strings.Join(args, " "), err, lastLines(stderr.String(), 5))
	}
	return out, nil
}

// runMeasured runs footnote with args, its standard error shown as progress, and returns
// its wall time and peak RSS (KiB).
func runMeasured(ctx context.Context, o options, dsn string, args ...string) (time.Duration, int64, error) {
	cmd := footnoteCmd(ctx, o, dsn, args...)
	cmd.Stderr = o.log
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("footnote %s: %w", strings.Join(args, " "), err)
	}
	return time.Since(start), peakRSSKiB(cmd.ProcessState), nil
}

// footnoteCmd is footnote with args against dsn. The environment is the driver's without
// the variables that would switch footnote off its offline defaults (a model server, a
// chat model): the bench measures the defaults.
func footnoteCmd(ctx context.Context, o options, dsn string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, o.bin, args...)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "DATABASE_URL", "DATABASE_OWNER_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "FOOTNOTE_EMBED_MODEL", "FOOTNOTE_EMBED_DIMS", "FOOTNOTE_CHAT_MODEL":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "DATABASE_URL="+dsn)
	if o.ownerDSN != "" {
		cmd.Env = append(cmd.Env, "DATABASE_OWNER_URL="+o.ownerDSN)
	}
	return cmd
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}

// smallCollection is the name of small collection i: a made-up guild id, as a Discord
// server's collection is named.
func smallCollection(i int) string { return strconv.Itoa(900000000000000000 + i) }
