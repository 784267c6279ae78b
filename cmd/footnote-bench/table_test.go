package main

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sampleReport is two sizes as a run would measure them, the second with small collections.
func sampleReport() report {
	r10 := sizeResult{
		Size: 10000, Database: "footnote_bench_10k", Articles: 9873, Passages: 34512, AllPassages: 34512,
		Import:  importStats{Lines: 10006, Seconds: 260, Rate: 37.97, PeakRSSMB: 81},
		Storage: storage{Tables: []tableSize{{"postings", 300 << 20}, {"chunks", 80 << 20}}, Total: 400 << 20, BesidesVectors: 11100, Postings: 8600, PassagesTable: 2500, Vectors: 2600},
		Search:  latency{N: 272, P50: 15.2, P99: 49.4, Mean: 18, Max: 60}, SearchQPS: 50, HitAt1: 0.8566,
		Streams: streamStats{Streams: 16, Latency: latency{N: 4000, P50: 200, P99: 800}, QPS: 100, ThroughputRatio: 2, P99Ratio: 16.2},
		Xapian:  &anchor{Passages: 34512, IndexSeconds: 20, Search: latency{N: 272, P50: 2.14, P99: 9.96}, HitAt1: 0.7831},
		Load:    loadStats{Samples: 10, Min: 2, Mean: 3, Max: 4},
	}
	r50 := r10
	r50.Size, r50.Articles, r50.Passages, r50.Search.P50, r50.Search.P99 = 50000, 49000, 175004, 41, 203
	r50.Xapian = &anchor{Search: latency{P50: 7.1, P99: 43}, HitAt1: 0.78}
	r50.Small = &smallStats{Collections: 1000, ArticlesEach: 10, Sampled: 20, Latency: latency{N: 5440, P50: 3.3, P99: 9}}
	return report{Sizes: []sizeResult{r10, r50}, Streams: 16,
		Machine: machine{CPUs: 2, Model: "Test CPU", Date: "2026-12-01", Load: loadStats{Min: 2.5, Mean: 3.1, Max: 5.25, PressureMax: 60}}}
}

func TestWriteTable(t *testing.T) {
	var out bytes.Buffer
	writeTable(&out, sampleReport())
	got := out.String()
	for _, want := range []string{
		"| articles / passages | import rate | search p50 / p99 | Xapian BM25 p50 / p99 | hit@1 (Xapian) | storage per passage | 16 streams: throughput / p99, vs one stream |",
		"| 9,873 / 34,512 | 38 articles/s | 15 / 49 ms | 2.1 / 10.0 ms | 0.857 (0.783) | 11.1 KB + 2.6 KB vectors | 2.00× / 16.2× |",
		"| 49,000 / 175,004 (+1,000 small collections) | 38 articles/s | 41 / 203 ms | 7.1 / 43 ms |",
		"on 2 cores (Test CPU), shared with other work: load average 2.5–5.2 (mean 3.1), CPU pressure up to 60%.",
		"storage: database 400 MB; postings 300 MB, chunks 80 MB; per passage: postings 8.6 KB, passages 2.5 KB, vectors 2.6 KB",
		"small collections (20 of 1,000, 10 articles each): 5440 queries, p50 3.3, p99 9.0 ms",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the table lacks %q:\n%s", want, got)
		}
	}
}

func TestWriteTableWithoutTheAnchor(t *testing.T) {
	rep := sampleReport()
	rep.Sizes = rep.Sizes[:1]
	rep.Sizes[0].Xapian = nil
	var out bytes.Buffer
	writeTable(&out, rep)
	if !strings.Contains(out.String(), "| 15 / 49 ms | — | 0.857 |") {
		t.Errorf("a run without the anchor should show a dash in its column:\n%s", out.String())
	}
}

func TestJSONRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.json")
	want := sampleReport()
	if err := writeJSON(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := readJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v,\nwant %+v", got, want)
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{thousands(0), "0"}, {thousands(999), "999"}, {thousands(1000), "1,000"}, {thousands(175004), "175,004"},
		{thousands(-1234567), "-1,234,567"}, {ms(2.14), "2.1"}, {ms(9.96), "10.0"}, {ms(10.4), "10"}, {ms(203.5), "204"},
		{kb(8500), "8.5"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// A run through a pooler has a column for it; a size measured without one shows a dash.
func TestWriteTableWithThePooler(t *testing.T) {
	rep := sampleReport()
	rep.Sizes[1].Pooled = &streamStats{Streams: 16, Latency: latency{N: 3000, P50: 90, P99: 300}, QPS: 110, ThroughputRatio: 2.2, P99Ratio: 6.04}
	var out bytes.Buffer
	writeTable(&out, rep)
	got := out.String()
	for _, want := range []string{
		"| the same in one process | the same processes through PgBouncer |\n|---|---|---|---|---|---|---|---|---|\n",
		"| 2.00× / 16.2× | — | — |\n",
		"| 2.00× / 16.2× | — | 2.20× / 6.0× |\n",
		"search, 16 streams through the pooler: 3000 queries, p50 90, p99 300, max 0.0 ms; 110.0 queries/s",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the table lacks %q:\n%s", want, got)
		}
	}
	writeTable(&out, sampleReport())
	if strings.Count(out.String(), "PgBouncer") != 1 {
		t.Errorf("a run without the pooler has its column:\n%s", out.String())
	}
}

func TestPooledURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://footnote@127.0.0.1:55435/?sslmode=disable", "postgres://footnote@127.0.0.1:55435/ft_b_10k?default_query_exec_mode=cache_describe&sslmode=disable"},
		{"postgres://footnote@127.0.0.1:55435/x?default_query_exec_mode=simple_protocol", "postgres://footnote@127.0.0.1:55435/ft_b_10k?default_query_exec_mode=simple_protocol"},
	} {
		got, err := pooledURL(tc.in, "ft_b_10k")
		if err != nil || got != tc.want {
			t.Errorf("pooledURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
