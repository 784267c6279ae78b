package retrieval_test

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// zipfWords are made-up words (so stemming and stop words leave each its own term), drawn
// with Zipf-like frequencies: the first few are in most passages, the last in a handful.
var zipfWords = func() []string {
	cons, vows := "bdfgklmnprstvz", "aeiou"
	var out []string
	for i := 0; len(out) < 400; i++ {
		w := string(cons[i%len(cons)]) + string(vows[(i/len(cons))%len(vows)]) + string(cons[(i/3)%len(cons)]) +
			string(vows[(i/7)%len(vows)]) + string(cons[(i/11)%len(cons)]) + "ox"
		out = append(out, w)
	}
	return out
}()

// zipfText is n words of zipfWords drawn by r, in sentences.
func zipfText(r *rand.Rand, z *rand.Zipf, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(zipfWords[z.Uint64()])
		if i%12 == 11 {
			b.WriteString(". ")
		} else {
			b.WriteString(" ")
		}
	}
	return b.String()
}

// zipfCorpus is n articles of zipfText on two sites, published over a year.
func zipfCorpus(seed int64, n int) []doc {
	r := rand.New(rand.NewSource(seed))
	z := rand.NewZipf(r, 1.1, 2, uint64(len(zipfWords)-1))
	var out []doc
	for i := 0; i < n; i++ {
		site := "alpha.example"
		if i%3 == 0 {
			site = "beta.example"
		}
		paras := make([]string, 1+r.Intn(4))
		for j := range paras {
			paras[j] = zipfText(r, z, 30+r.Intn(120))
		}
		out = append(out, doc{
			URL:       fmt.Sprintf("https://%s/%d", site, i),
			Title:     zipfText(r, z, 3),
			Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%360).Format("2006-01-02"),
			Text:      strings.Join(paras, "\n\n"),
		})
	}
	return out
}

// bruteBM25 is a collection's passages read back from their text, ranked by BM25 the way
// the SQL that the blocks replaced ranked them: every passage scored, nothing pruned.
type bruteBM25 struct {
	terms  map[int64]map[string]int
	lens   map[int64]int
	pub    map[int64]time.Time
	site   map[int64]string
	df     map[string]int
	n      int
	avglen float64
}

func readBrute(t *testing.T, c *pgx.Conn, coll string) *bruteBM25 {
	t.Helper()
	b := &bruteBM25{terms: map[int64]map[string]int{}, lens: map[int64]int{}, pub: map[int64]time.Time{},
		site: map[int64]string{}, df: map[string]int{}}
	rows, err := c.Query(context.Background(), `
		SELECT ch.id, a.title, ch.body, a.published_at, a.url FROM chunks ch JOIN articles a ON a.id = ch.article_id
		WHERE ch.collection = $1`, coll)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	var id int64
	var title, body, url string
	var pub time.Time
	if _, err := pgx.ForEachRow(rows, []any{&id, &title, &body, &pub, &url}, func() error {
		terms, n := retrieval.PassageTerms(title, body)
		b.terms[id], b.lens[id], b.pub[id], b.site[id] = terms, n, pub, url
		for term := range terms {
			b.df[term]++
		}
		total += n
		b.n++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b.avglen = math.Max(float64(total)/float64(b.n), 1)
	return b
}

// rank returns the k best passages passing keep for the question with terms (sorted) and
// their counts in it.
func (b *bruteBM25) rank(terms []string, qtf []float64, k int, keep func(int64) bool) []retrieval.LexicalHit {
	var all []retrieval.LexicalHit
	for id, pt := range b.terms {
		if keep != nil && !keep(id) {
			continue
		}
		score, held := 0.0, false
		for i, term := range terms {
			tf, ok := pt[term]
			if !ok {
				continue
			}
			df := float64(b.df[term])
			idf := math.Log(1 + (float64(b.n)-df+0.5)/(df+0.5))
			if idf <= 0 {
				continue
			}
			w, f, dl := idf*qtf[i], float64(tf), float64(b.lens[id])
			score += w * f * 2.2 / (f + 1.2*(1-0.75+0.75*dl/b.avglen))
			held = true
		}
		if held {
			all = append(all, retrieval.LexicalHit{ID: id, Score: score})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Score != all[j].Score {
			return all[i].Score > all[j].Score
		}
		return all[i].ID < all[j].ID
	})
	if len(all) > k {
		all = all[:k]
	}
	return all
}

// zipfQueries are questions of one to six words, common ones among them.
func zipfQueries(seed int64, n int) []string {
	r := rand.New(rand.NewSource(seed))
	z := rand.NewZipf(r, 1.05, 1, uint64(len(zipfWords)-1))
	out := []string{
		strings.Join(zipfWords[:4], " "),                           // the four commonest words
		zipfWords[0] + " " + zipfWords[0] + " " + zipfWords[1],     // a common word said twice
		zipfWords[0] + " " + zipfWords[len(zipfWords)-1] + " qqqq", // common, rare and unknown
	}
	for len(out) < n {
		words := make([]string, 1+r.Intn(6))
		for i := range words {
			words[i] = zipfWords[z.Uint64()]
		}
		out = append(out, strings.Join(words, " "))
	}
	return out
}

func TestLexicalRankingMatchesBruteForceBM25(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	corpus := zipfCorpus(1, 240)
	importDocs(t, e, coll, corpus...)
	check := func(t *testing.T) { ranksLikeBruteForce(t, e, coll, 60) }
	t.Run("the blocks rank every question as brute-force BM25 does, filtered or not", check)

	// Removals take passages out of their blocks and their terms' counts.
	for _, d := range corpus[:40] {
		if _, err := e.RemoveArticle(ctx, coll, d.URL, "", true); err != nil {
			t.Fatalf("RemoveArticle: %v", err)
		}
	}
	changed := zipfCorpus(3, 80)[40:80]
	for i := range changed {
		changed[i].URL = corpus[40+i].URL // the same articles with new text: passages replaced
	}
	importDocs(t, e, coll, changed...)
	importDocs(t, e, coll, zipfCorpus(4, 300)[240:]...) // and new ones, appended to the blocks
	t.Run("after articles are removed, replaced and added, it still does", check)
}

// ranksLikeBruteForce checks that the keyword arm ranks n questions (zipfQueries) in coll
// exactly as brute-force BM25 over the passages' text does, with and without filters and
// at every degree of pruning, and that its term statistics count the passages.
func ranksLikeBruteForce(t *testing.T, e *retrieval.Engine, coll string, n int) {
	t.Helper()
	ctx := context.Background()
	c := conn(t)
	b := readBrute(t, c, coll)
	since := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	filters := []struct {
		name string
		f    retrieval.Filter
		keep func(int64) bool
	}{
		{"no filter", retrieval.Filter{}, nil},
		{"a site", retrieval.Filter{Site: "beta.example"},
			func(id int64) bool { return strings.Contains(b.site[id], "://beta.example/") }},
		{"a date range", retrieval.Filter{Since: since},
			func(id int64) bool { return !b.pub[id].Before(since) }},
	}
	for _, q := range zipfQueries(2, n) {
		terms, qtf, df, err := retrieval.TermCounts(ctx, e, coll, q)
		if err != nil {
			t.Fatal(err)
		}
		for i, term := range terms {
			if int(df[i]) != b.df[term] {
				t.Fatalf("df(%s) = %v, want %d (the passages holding it)", term, df[i], b.df[term])
			}
		}
		for _, fl := range filters {
			for _, k := range []int{1, 10, 50} {
				want := b.rank(terms, qtf, k, fl.keep)
				// fullRead 0 reads only the rarest term whole: the most pruning. filterMax
				// 0 ranks without the filter, then keeps what passes.
				for _, tune := range [][2]int{{0, 0}, {0, 1 << 20}, {300, 1 << 20}, {1 << 20, 1 << 20}} {
					got, err := retrieval.LexicalRanking(ctx, e, coll, q, fl.f, k, tune[0], tune[1])
					if err != nil {
						t.Fatal(err)
					}
					if !sameHits(got, want) {
						t.Fatalf("%q, %s, k=%d, fullRead=%d, filterMax=%d:\n got %v\nwant %v", q, fl.name, k, tune[0], tune[1], got, want)
					}
				}
			}
		}
	}
}

// sameHits tells whether got and want name the same passages in the same order, with the
// same scores to rounding.
func sameHits(got, want []retrieval.LexicalHit) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].ID != want[i].ID || math.Abs(got[i].Score-want[i].Score) > 1e-9*math.Max(1, want[i].Score) {
			return false
		}
	}
	return true
}

func TestConcurrentWritersKeepTheBlocksRight(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	corpus := zipfCorpus(5, 300)
	importDocs(t, e, coll, corpus[:100]...)
	// Two importers of articles sharing every common word, and a remover, at once: each
	// appends to the same terms' last blocks and counts, and removes from them.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, part := range [][]doc{corpus[100:200], corpus[200:300]} {
		wg.Go(func() {
			_, errs[i] = e.Import(ctx, coll, strings.NewReader(jsonl(t, part...)), nil)
		})
	}
	wg.Go(func() {
		for _, d := range corpus[:50] {
			if _, err := e.RemoveArticle(ctx, coll, d.URL, "", true); err != nil {
				errs[2] = err
				return
			}
		}
	})
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("a writer failed (a deadlock would show here): %v", err)
		}
	}
	t.Run("every block is sorted, within its bounds and at most 128 long", func(t *testing.T) {
		if n := count(t, conn(t), `
			SELECT count(*) FROM term_blocks b,
			     LATERAL (SELECT count(*) AS k, count(DISTINCT chunk_id) AS d, min(chunk_id) AS lo, max(chunk_id) AS hi,
			                     max(tf) AS max_tf, min(doc_len) AS min_len
			              FROM footnote_unpack_postings(b.first_id, b.postings)) u
			WHERE b.collection = $1
			  AND (u.k <> b.n OR u.d <> b.n OR b.first_id <> u.lo OR b.last_id <> u.hi OR b.n NOT BETWEEN 1 AND 128
			       OR b.max_tf < u.max_tf OR b.min_len > u.min_len)`,
			coll); n != 0 {
			t.Errorf("%d blocks are malformed", n)
		}
	})
	t.Run("the blocks rank as brute-force BM25 does", func(t *testing.T) { ranksLikeBruteForce(t, e, coll, 20) })
}
