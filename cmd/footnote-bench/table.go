package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// report is a whole run: every size, and where it ran.
type report struct {
	Sizes   []sizeResult `json:"sizes"`
	Machine machine      `json:"machine"`
	Streams int          `json:"streams"`
}

// writeTable prints the table, one row per size, then what each row rests on.
func writeTable(w io.Writer, rep report) {
	fmt.Fprintln(w)
	pooled := false // a column for runs with -pooler only
	for _, r := range rep.Sizes {
		pooled = pooled || r.Pooled != nil
	}
	head, rule := "", ""
	if pooled {
		head, rule = " the same processes through PgBouncer |", "---|"
	}
	fmt.Fprintf(w, "| articles / passages | import rate | search p50 / p99 | Xapian BM25 p50 / p99 | hit@1 (Xapian) | storage per passage | %d streams: throughput / p99, vs one stream | the same in one process |%s\n", rep.Streams, head)
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|"+rule)
	for _, r := range rep.Sizes {
		arts := thousands(r.Articles) + " / " + thousands(r.Passages)
		if r.Small != nil {
			arts += fmt.Sprintf(" (+%s small collections)", thousands(int64(r.Small.Collections)))
		}
		xap, xhit := "—", ""
		if r.Xapian != nil {
			xap = ms(r.Xapian.Search.P50) + " / " + ms(r.Xapian.Search.P99) + " ms"
			xhit = fmt.Sprintf(" (%.3f)", r.Xapian.HitAt1)
		}
		together := "—" // a run from before it was measured
		if r.OneProcess.Streams > 0 {
			together = fmt.Sprintf("%.2f× / %.1f×", r.OneProcess.ThroughputRatio, r.OneProcess.P99Ratio)
		}
		cell := ""
		if pooled {
			cell = " — |"
			if p := r.Pooled; p != nil {
				cell = fmt.Sprintf(" %.2f× / %.1f× |", p.ThroughputRatio, p.P99Ratio)
			}
		}
		fmt.Fprintf(w, "| %s | %.0f articles/s | %s / %s ms | %s | %.3f%s | %s KB + %s KB vectors | %.2f× / %.1f× | %s |%s\n",
			arts, r.Import.Rate, ms(r.Search.P50), ms(r.Search.P99), xap, r.HitAt1, xhit,
			kb(r.Storage.BesidesVectors), kb(r.Storage.Vectors), r.Streams.ThroughputRatio, r.Streams.P99Ratio, together, cell)
	}
	fmt.Fprintln(w)
	m := rep.Machine
	fmt.Fprintf(w, "Measured %s on %d cores (%s), shared with other work: load average %.1f–%.1f (mean %.1f)",
		m.Date, m.CPUs, orUnknown(m.Model), m.Load.Min, m.Load.Max, m.Load.Mean)
	if m.Load.PressureMax > 0 {
		fmt.Fprintf(w, ", CPU pressure up to %.0f%%", m.Load.PressureMax)
	}
	fmt.Fprintln(w, ".")
	for _, r := range rep.Sizes {
		writeDetails(w, r)
	}
}

// writeDetails prints the figures behind one row.
func writeDetails(w io.Writer, r sizeResult) {
	fmt.Fprintf(w, "\n%s (%s):\n", sizeName(r.Size), r.Database)
	fmt.Fprintf(w, "  import: %s lines in %.0f s, %.1f articles/s, peak RSS %.0f MB; VACUUM (ANALYZE) afterwards %.0f s\n",
		thousands(int64(r.Import.Lines)), r.Import.Seconds, r.Import.Rate, r.Import.PeakRSSMB, r.VacuumSeconds)
	var parts []string
	for _, t := range r.Storage.Tables {
		if t.Bytes >= 1<<20 {
			parts = append(parts, fmt.Sprintf("%s %s MB", t.Table, thousands(t.Bytes>>20)))
		}
	}
	fmt.Fprintf(w, "  storage: database %s MB; %s; per passage: postings %s KB, passages %s KB, vectors %s KB\n",
		thousands(r.Storage.Total>>20), strings.Join(parts, ", "), kb(r.Storage.Postings), kb(r.Storage.PassagesTable), kb(r.Storage.Vectors))
	runs := ""
	if len(r.SearchQPSRuns) == 2 {
		runs = fmt.Sprintf(" (%.1f before the streams, %.1f after)", r.SearchQPSRuns[0], r.SearchQPSRuns[1])
	}
	fmt.Fprintf(w, "  search, one stream: %d queries, p50 %s, p99 %s, mean %s, max %s ms; %.1f queries/s%s; slowest: %s\n",
		r.Search.N, ms(r.Search.P50), ms(r.Search.P99), ms(r.Search.Mean), ms(r.Search.Max), r.SearchQPS, runs, strings.Join(r.Slowest, " "))
	s := r.Streams
	fmt.Fprintf(w, "  search, %d streams: %d queries, p50 %s, p99 %s, max %s ms; %.1f queries/s\n",
		s.Streams, s.Latency.N, ms(s.Latency.P50), ms(s.Latency.P99), ms(s.Latency.Max), s.QPS)
	if s := r.OneProcess; s.Streams > 0 {
		fmt.Fprintf(w, "  search, %d streams in one process (--parallel %d): %d queries, p50 %s, p99 %s, max %s ms; %.1f queries/s\n",
			s.Streams, s.Streams, s.Latency.N, ms(s.Latency.P50), ms(s.Latency.P99), ms(s.Latency.Max), s.QPS)
	}
	if s := r.Pooled; s != nil {
		fmt.Fprintf(w, "  search, %d streams through the pooler: %d queries, p50 %s, p99 %s, max %s ms; %.1f queries/s\n",
			s.Streams, s.Latency.N, ms(s.Latency.P50), ms(s.Latency.P99), ms(s.Latency.Max), s.QPS)
	}
	if x := r.Xapian; x != nil {
		fmt.Fprintf(w, "  Xapian: %s passages indexed in %.0f s; p50 %s, p99 %s, max %s ms; hit@1 %.3f\n",
			thousands(int64(x.Passages)), x.IndexSeconds, ms(x.Search.P50), ms(x.Search.P99), ms(x.Search.Max), x.HitAt1)
	}
	if sm := r.Small; sm != nil {
		fmt.Fprintf(w, "  small collections (%d of %s, %d articles each): %d queries, p50 %s, p99 %s ms\n",
			sm.Sampled, thousands(int64(sm.Collections)), sm.ArticlesEach, sm.Latency.N, ms(sm.Latency.P50), ms(sm.Latency.P99))
	}
	fmt.Fprintf(w, "  load average during this size: %.1f–%.1f (mean %.1f)\n", r.Load.Min, r.Load.Max, r.Load.Mean)
}

// writeJSON writes the report to path.
func writeJSON(path string, rep report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// readJSON reads a report that writeJSON wrote.
func readJSON(path string) (report, error) {
	var rep report
	b, err := os.ReadFile(path)
	if err != nil {
		return rep, fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return rep, fmt.Errorf("read %s: %w", path, err)
	}
	return rep, nil
}

// ms formats milliseconds: one decimal under 10, whole numbers above.
func ms(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// kb formats bytes as kilobytes (1,000 bytes) with one decimal.
func kb(b float64) string { return strconv.FormatFloat(b/1000, 'f', 1, 64) }

// thousands formats n with commas: 175,012.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

func orUnknown(s string) string {
	if s == "" {
		return "CPU model unknown"
	}
	return s
}
