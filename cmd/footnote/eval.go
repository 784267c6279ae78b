package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// evalQuestion is one line of a questions file (../shared/data/squad-dev/questions.jsonl).
type evalQuestion struct {
	ID        string   `json:"id"`
	Question  string   `json:"question"`
	Answers   []string `json:"answers"`
	Evidences []string `json:"evidences"`
	URL       string   `json:"url"`
}

// evalReport is what `footnote eval` measures.
type evalReport struct {
	N           int     `json:"n"`
	Hit1        float64 `json:"hit@1"`
	Hit3        float64 `json:"hit@3"`
	Hit5        float64 `json:"hit@5"`
	Hit10       float64 `json:"hit@10"`
	MRR10       float64 `json:"mrr@10"`
	Answer1     float64 `json:"answer@1"`
	AnswerAny   float64 `json:"answer@any"`
	Abstained   float64 `json:"abstained"`
	MedianQuote int     `json:"median_quote_chars"`
	SearchP50MS float64 `json:"search_p50_ms"`
	SearchP99MS float64 `json:"search_p99_ms"`
	AnswerP50MS float64 `json:"answer_p50_ms"`
	AnswerP99MS float64 `json:"answer_p99_ms"`
	// Questions the collection cannot answer, and how many of them got a quote anyway.
	Unanswerable         int `json:"unanswerable,omitempty"`
	UnanswerableAnswered int `json:"unanswerable_answered,omitempty"`
	// Questions of the file about articles the collection does not hold (they must
	// abstain), and how many of them got a quote anyway.
	Absent         int `json:"not_covered,omitempty"`
	AbsentAnswered int `json:"not_covered_answered,omitempty"`
}

func (m *Main) cmdEval(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("eval", true)
	qpath := fs.String("questions", "", "questions JSONL: {id, question, answers, evidences, url}")
	upath := fs.String("unanswerable", "", "questions JSONL ({id, question}) the collection cannot answer: footnote should abstain")
	asJSON := fs.Bool("json", false, "print one JSON line")
	spath := fs.String("signals", "", "append each question's coverage signals to this JSONL file (for footnote calibrate)")
	if _, err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if *qpath == "" {
		return m.usageError("eval")
	}
	qs, err := readQuestions(*qpath)
	if err != nil {
		return err
	}
	var unanswerable []evalQuestion
	if *upath != "" {
		if unanswerable, err = readQuestions(*upath); err != nil {
			return err
		}
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	urls, err := collectionURLs(ctx, m.Engine, *coll)
	if err != nil {
		return err
	}
	qs, absent := splitByCollection(qs, urls)
	if len(qs) == 0 {
		return fmt.Errorf("eval: no question of %s is about an article of collection %q", *qpath, *coll)
	}
	var rec *signalFile
	if *spath != "" {
		f, err := os.OpenFile(*spath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		defer f.Close()
		rec = &signalFile{enc: json.NewEncoder(f)}
	}
	rep, err := evaluate(ctx, m.Engine, *coll, qs, rec)
	if err != nil {
		return err
	}
	if len(absent) > 0 {
		if rep.Absent, rep.AbsentAnswered, err = countAnswered(ctx, m.Engine, *coll, kindAbsent, absent, rec); err != nil {
			return err
		}
	}
	if len(unanswerable) > 0 {
		if rep.Unanswerable, rep.UnanswerableAnswered, err = countAnswered(ctx, m.Engine, *coll, kindOffTopic, unanswerable, rec); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(m.Stdout, rep)
	}
	fmt.Fprintf(m.Stdout, `footnote eval: %d questions, collection %q
retrieval   hit@1 %.3f  hit@3 %.3f  hit@5 %.3f  hit@10 %.3f  MRR@10 %.3f
answers     answer@1 %.3f  answer@any %.3f  abstained %.3f  median quote %d chars
latency     search p50 %.1f ms  p99 %.1f ms   answer p50 %.1f ms  p99 %.1f ms
`, rep.N, *coll, rep.Hit1, rep.Hit3, rep.Hit5, rep.Hit10, rep.MRR10, rep.Answer1, rep.AnswerAny, rep.Abstained,
		rep.MedianQuote, rep.SearchP50MS, rep.SearchP99MS, rep.AnswerP50MS, rep.AnswerP99MS)
	printAbstention(m.Stdout, *coll, rep)
	return nil
}

// evalAsk is how eval asks: the answer keeps its quote whatever the second coverage check
// says (for the signals file), and the caller decides with Answer.Refused, as Ask would.
var evalAsk = retrieval.AskOptions{AskedBy: "eval", KeepQuote: true}

// countAnswered asks questions the collection cannot answer and counts those that got a
// citation anyway.
func countAnswered(ctx context.Context, eng *retrieval.Engine, coll, kind string, qs []evalQuestion, rec *signalFile) (n, answered int, err error) {
	for _, q := range qs {
		a, err := eng.Ask(ctx, coll, q.Question, evalAsk)
		if err != nil {
			return 0, 0, fmt.Errorf("ask %s: %w", q.ID, err)
		}
		if err := rec.add(coll, kind, q, a, nil); err != nil {
			return 0, 0, err
		}
		if !a.Refused() {
			answered++
		}
	}
	return len(qs), answered, nil
}

func readQuestions(path string) ([]evalQuestion, error) {
	qs, err := readJSONL[evalQuestion](path)
	if err != nil {
		return nil, err
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("%s has no questions", path)
	}
	return qs, nil
}

// readJSONL reads a file of JSON lines (blank lines skipped), saying which line is wrong.
func readJSONL[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// evaluate runs every question through search (top 10) and ask, and scores them with the
// same rules as ../shared/tools/score-retrieval and score-answers.
func evaluate(ctx context.Context, eng *retrieval.Engine, coll string, qs []evalQuestion, rec *signalFile) (evalReport, error) {
	rep := evalReport{N: len(qs)}
	var searchT, answerT []time.Duration
	var quotes []int
	for _, q := range qs {
		start := time.Now()
		rs, err := eng.Search(ctx, coll, q.Question, 10, retrieval.Filter{})
		if err != nil {
			return rep, fmt.Errorf("search %s: %w", q.ID, err)
		}
		searchT = append(searchT, time.Since(start))
		for i, r := range rs {
			if supports(q, r.URL, r.Text) {
				rep.MRR10 += 1 / float64(i+1)
				for k, hit := range map[int]*float64{1: &rep.Hit1, 3: &rep.Hit3, 5: &rep.Hit5, 10: &rep.Hit10} {
					if i < k {
						*hit++
					}
				}
				break
			}
		}
		start = time.Now()
		a, err := eng.Ask(ctx, coll, q.Question, evalAsk)
		if err != nil {
			return rep, fmt.Errorf("ask %s: %w", q.ID, err)
		}
		answerT = append(answerT, time.Since(start))
		if err := rec.add(coll, kindAnswerable, q, a, rs); err != nil {
			return rep, err
		}
		if a.Refused() {
			rep.Abstained++
			continue
		}
		for i, c := range a.Citations {
			quotes = append(quotes, len([]rune(c.Quote)))
			if holds(q, c) {
				if i == 0 {
					rep.Answer1++
				}
			}
		}
		for _, c := range a.Citations {
			if holds(q, c) {
				rep.AnswerAny++
				break
			}
		}
	}
	n := float64(len(qs))
	for _, p := range []*float64{&rep.Hit1, &rep.Hit3, &rep.Hit5, &rep.Hit10, &rep.MRR10, &rep.Answer1, &rep.AnswerAny, &rep.Abstained} {
		*p = round4(*p / n)
	}
	sort.Ints(quotes)
	if len(quotes) > 0 {
		rep.MedianQuote = quotes[len(quotes)/2]
	}
	rep.SearchP50MS, rep.SearchP99MS = percentile(searchT, 50), percentile(searchT, 99)
	rep.AnswerP50MS, rep.AnswerP99MS = percentile(answerT, 50), percentile(answerT, 99)
	return rep, nil
}

var evalTok = regexp.MustCompile(`[a-z0-9]+`)

// norm lower-cases and keeps only letters and digits, words separated by one space: the
// scorers' normalisation.
func norm(s string) string { return strings.Join(evalTok.FindAllString(strings.ToLower(s), -1), " ") }

// supports: the passage comes from the gold article, holds a gold answer, and covers at
// least 70% of the tokens of a gold evidence sentence.
func supports(q evalQuestion, url, text string) bool {
	if url != q.URL {
		return false
	}
	t := norm(text)
	found := false
	for _, a := range q.Answers {
		if strings.Contains(t, norm(a)) {
			found = true
			break
		}
	}
	if !found {
		return false
	}
	toks := map[string]bool{}
	for _, w := range strings.Fields(t) {
		toks[w] = true
	}
	evs := q.Evidences
	if len(evs) == 0 {
		evs = []string{""}
	}
	for _, ev := range evs {
		et := strings.Fields(norm(ev))
		if len(et) == 0 {
			return true
		}
		in := 0
		for _, w := range et {
			if toks[w] {
				in++
			}
		}
		if float64(in)/float64(len(et)) >= 0.7 {
			return true
		}
	}
	return false
}

// holds: the citation is from the gold article and its quote holds a gold answer.
func holds(q evalQuestion, c retrieval.Citation) bool {
	if c.URL != q.URL {
		return false
	}
	t := norm(c.Quote)
	for _, a := range q.Answers {
		if strings.Contains(t, norm(a)) {
			return true
		}
	}
	return false
}

func percentile(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	i = min(max(i-1, 0), len(s)-1)
	return float64(s[i].Microseconds()) / 1000
}

func round4(f float64) float64 { return float64(int(f*10000+0.5)) / 10000 }
