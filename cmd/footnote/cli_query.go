package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/extract"
	"github.com/footnote-bot/footnote/retrieval/jsonl"
)

// The --json shapes: the contract that ../shared/tools/score-* and other scripts read.
type jsonResult struct {
	Rank      int     `json:"rank"`
	ChunkID   int64   `json:"chunk_id"`
	ArticleID int64   `json:"article_id"`
	URL       string  `json:"url"`
	Title     string  `json:"title"`
	Text      string  `json:"text"`
	Score     float64 `json:"score"`
	// Also are other articles that ran this passage, left out of the results as copies.
	Also []jsonSource `json:"also,omitempty"`
}

// jsonSource is an article that ran the same passage as a result or citation.
type jsonSource struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Site      string `json:"site,omitempty"`
	Published string `json:"published"` // "" when unknown
	Added     string `json:"added"`
}

func toJSONSources(ss []retrieval.Source) []jsonSource {
	var out []jsonSource
	for _, s := range ss {
		out = append(out, jsonSource{URL: s.URL, Title: s.Title, Site: s.Site, Published: day(s.Published), Added: day(s.Added)})
	}
	return out
}

type jsonSearch struct {
	ID      string       `json:"id"`
	TookMS  float64      `json:"took_ms"`
	Results []jsonResult `json:"results"`
	Error   string       `json:"error,omitempty"`
}

type jsonCitation struct {
	N         int    `json:"n"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Published string `json:"published"` // "" when unknown
	Added     string `json:"added"`     // the day footnote added the article
	Quote     string `json:"quote"`
	ChunkID   int64  `json:"chunk_id"`
	Updated   string `json:"updated,omitempty"` // the day its text last changed after it was added
	Gone      string `json:"gone,omitempty"`    // the day its page was found gone (404, 410)
	// Also are other articles that ran the quoted passage (the same story elsewhere).
	Also []jsonSource `json:"also,omitempty"`
}

// jsonClosest is one closest source of a "not covered" answer.
type jsonClosest struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Published string `json:"published"`         // "" when unknown
	Added     string `json:"added"`             // the day footnote added the article
	Updated   string `json:"updated,omitempty"` // the day its text last changed after it was added
	Gone      string `json:"gone,omitempty"`    // the day its page was found gone (404, 410)
}

type jsonAsk struct {
	ID        string         `json:"id"`
	TookMS    float64        `json:"took_ms"`
	Mode      string         `json:"mode"`
	Answer    string         `json:"answer"`
	Covered   bool           `json:"covered"`
	Citations []jsonCitation `json:"citations"`
	Closest   []jsonClosest  `json:"closest,omitempty"` // when not covered: the closest sources
	Note      string         `json:"note,omitempty"`    // Answer.Note: e.g. the model was slow
	Error     string         `json:"error,omitempty"`
}

func toJSONResults(rs []retrieval.Result) []jsonResult {
	out := make([]jsonResult, len(rs))
	for i, r := range rs {
		out[i] = jsonResult{Rank: r.Rank, ChunkID: r.ChunkID, ArticleID: r.ArticleID, URL: r.URL, Title: r.Title, Text: r.Text, Score: r.Score,
			Also: toJSONSources(r.Also)}
	}
	return out
}

func toJSONAsk(id string, a *retrieval.Answer) jsonAsk {
	out := jsonAsk{ID: id, TookMS: ms(a.Took), Mode: a.Mode, Answer: a.Text, Covered: a.Covered, Citations: []jsonCitation{}, Note: a.Note}
	for _, c := range a.Citations {
		out.Citations = append(out.Citations, jsonCitation{N: c.N, URL: c.URL, Title: c.Title, Published: day(c.Published), Added: day(c.Added),
			Quote: c.Quote, ChunkID: c.ChunkID, Updated: day(c.Updated), Gone: day(c.Gone), Also: toJSONSources(c.Also)})
	}
	for _, r := range a.Closest {
		out.Closest = append(out.Closest, jsonClosest{URL: r.URL, Title: r.Title, Published: day(r.Published), Added: day(r.Added),
			Updated: day(r.Updated), Gone: day(r.Gone)})
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// batchLine is one line of --batch input.
type batchLine struct {
	ID       string `json:"id"`
	Question string `json:"question"`
}

// maxBatchLine bounds one line of --batch input; a longer one is answered with an error line.
const maxBatchLine = 16 << 20

// eachBatchLine calls f for every JSONL line of r (lines end at LF, CRLF or CR, as jsonl
// reads them); f returns the line's output and whether the line failed. Up to parallel
// lines are answered at once (at least one), and their outputs are written in input order.
// A malformed line (not exactly one JSON object, or too long) is reported on stderr with
// its number, answered with an error line on w, and counts as failed. Output is flushed
// after every line so a reader sees answers as they come. Like import, it fails when every
// line did (and there was one): a script sees a run that answered nothing by its exit
// status.
func eachBatchLine(name string, r io.Reader, w io.Writer, stderr io.Writer, parallel int, f func(batchLine) (any, bool)) error {
	type answer struct {
		out any
		bad bool
	}
	// Each line's answer comes through a channel of its own, queued in input order: the
	// writer below takes them in that order whichever finishes first. The queue's size
	// bounds the lines read ahead of the one being written.
	parallel = max(parallel, 1)
	queue := make(chan chan answer, parallel)
	slots := make(chan struct{}, parallel)
	readErr := make(chan error, 1)
	quit := make(chan struct{}) // closed when the output fails: read no further
	go func() {
		defer close(queue)
		in := jsonl.NewReader(r, maxBatchLine)
		for {
			n, raw, err := in.Next()
			if err == io.EOF {
				readErr <- nil
				return
			}
			if err != nil && !errors.Is(err, jsonl.ErrTooLong) {
				readErr <- fmt.Errorf("read batch input: %w", err)
				return
			}
			if err == nil && jsonl.Blank(raw) {
				continue
			}
			// A select with both cases ready picks either: without this check first, the
			// reader went on queueing lines (each asked) while the writer drained them
			// after the output had failed.
			select {
			case <-quit:
				readErr <- nil
				return
			default:
			}
			done := make(chan answer, 1)
			select {
			case queue <- done:
			case <-quit:
				readErr <- nil
				return
			}
			var l batchLine
			if err == nil {
				err = jsonl.Decode(raw, &l)
			}
			if err != nil {
				fmt.Fprintf(stderr, "line %d: not a JSON object {\"id\",\"question\"}: %v\n", n, err)
				done <- answer{map[string]string{"id": "", "error": fmt.Sprintf("line %d: %v", n, err)}, true}
				continue
			}
			slots <- struct{}{}
			select {
			case <-quit: // failed while this line waited for a slot: not asked, not written
				<-slots
				done <- answer{}
				continue
			default:
			}
			go func() {
				defer func() { <-slots }()
				out, bad := f(l)
				done <- answer{out, bad}
			}()
		}
	}()
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	lines, failed := 0, 0
	var werr error
	for done := range queue {
		a := <-done
		lines++
		if a.bad {
			failed++
		}
		if werr != nil {
			continue // the lines already queued, until the reader sees quit and stops
		}
		if werr = enc.Encode(a.out); werr == nil {
			werr = bw.Flush()
		}
		if werr != nil {
			close(quit)
		}
	}
	if werr != nil {
		return werr
	}
	if err := <-readErr; err != nil {
		return err
	}
	if lines > 0 && failed == lines {
		return fmt.Errorf("%s --batch: every line failed (their \"error\" fields say why)", name)
	}
	return nil
}

// parallelFlag adds --parallel to fs: how many --batch lines are answered at once.
func parallelFlag(fs *flag.FlagSet) *int {
	return fs.Int("parallel", 1, "with --batch, answer this many lines at once (outputs stay in input order), as a server answers members who ask together")
}

// filterFlags adds --since and --source to fs. The function it returns builds the filter
// once fs is parsed; it fails with a line naming the flag.
func filterFlags(fs *flag.FlagSet) func() (retrieval.Filter, error) {
	since := fs.String("since", "", "only articles published on or after this date: YYYY-MM-DD or RFC 3339")
	source := fs.String("source", "", "only articles from this site: a host name (news.example) or the site's name; a link is cut to its host")
	return func() (retrieval.Filter, error) {
		f := retrieval.Filter{Site: sourceSite(*source)}
		if *since != "" {
			t, err := extract.ParseDate(*since)
			if err != nil {
				return f, fmt.Errorf("--since: %w", err)
			}
			f.Since = t
		}
		return f, nil
	}
}

// sourceSite is what --source matches: a link (https://news.example/politics) is cut to its
// host, so it matches as news.example does; a host or a site's name is kept as given.
func sourceSite(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
	}
	return s
}

func (m *Main) cmdSearch(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("search", true)
	k := fs.Int("k", 10, "passages to return (1 or more)")
	filter := filterFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	batch := fs.Bool("batch", false, "read JSONL {\"id\",\"question\"} from standard input")
	parallel := parallelFlag(fs)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *parallel < 1 {
		fmt.Fprintf(m.Stderr, "--parallel: %d is too few (want 1 or more)\n", *parallel)
		return m.usageError("search")
	}
	if *k < 1 {
		fmt.Fprintf(m.Stderr, "-k: %d passages is too few (want 1 or more)\n", *k)
		return m.usageError("search")
	}
	query := strings.Join(pos, " ")
	if !*batch && strings.TrimSpace(query) == "" {
		return m.usageError("search")
	}
	f, err := filter()
	if err != nil {
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	one := func(id, q string) jsonSearch {
		start := time.Now()
		rs, err := m.Engine.Search(ctx, *coll, q, *k, f)
		out := jsonSearch{ID: id, TookMS: ms(time.Since(start)), Results: toJSONResults(rs)}
		if err != nil {
			out.Error = err.Error()
		}
		return out
	}
	if *batch {
		return eachBatchLine("search", m.Stdin, m.Stdout, m.Stderr, *parallel, func(l batchLine) (any, bool) {
			out := one(l.ID, l.Question)
			return out, out.Error != ""
		})
	}
	res := one("", query)
	if res.Error != "" {
		return fmt.Errorf("search: %s", res.Error)
	}
	if *asJSON {
		return writeJSON(m.Stdout, res)
	}
	if len(res.Results) == 0 {
		fmt.Fprintln(m.Stdout, "No passages match.")
	}
	for i, r := range res.Results {
		if i > 0 {
			fmt.Fprintln(m.Stdout)
		}
		fmt.Fprintf(m.Stdout, "%2d. %s  (score %.4f)\n    %s\n    %s\n", r.Rank, r.Title, r.Score, r.URL, snippet(r.Text, 240))
	}
	return nil
}

func (m *Main) cmdAsk(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("ask", true)
	asJSON := fs.Bool("json", false, "print JSON")
	batch := fs.Bool("batch", false, "read JSONL {\"id\",\"question\"} from standard input")
	parallel := parallelFlag(fs)
	filter := filterFlags(fs)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *parallel < 1 {
		fmt.Fprintf(m.Stderr, "--parallel: %d is too few (want 1 or more)\n", *parallel)
		return m.usageError("ask")
	}
	question := strings.Join(pos, " ")
	if !*batch && strings.TrimSpace(question) == "" {
		return m.usageError("ask")
	}
	var opts retrieval.AskOptions
	if opts.Filter, err = filter(); err != nil {
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	if *batch {
		return eachBatchLine("ask", m.Stdin, m.Stdout, m.Stderr, *parallel, func(l batchLine) (any, bool) {
			a, err := m.Engine.Ask(ctx, *coll, l.Question, opts)
			if err != nil {
				return jsonAsk{ID: l.ID, Citations: []jsonCitation{}, Error: m.askError(l.Question, err).Error()}, true
			}
			return toJSONAsk(l.ID, a), false
		})
	}
	a, err := m.Engine.Ask(ctx, *coll, question, opts)
	if err != nil {
		return m.askError(question, err)
	}
	if *asJSON {
		return writeJSON(m.Stdout, toJSONAsk("", a))
	}
	printAnswer(m.Stdout, a)
	return nil
}

// askError adds the setting behind the limit to the engine's refusal of a question longer
// than FOOTNOTE_MAX_QUESTION_CHARS; other errors pass through.
func (m *Main) askError(question string, err error) error {
	if errors.Is(err, retrieval.ErrInvalidInput) && utf8.RuneCountInString(question) > m.Config.MaxQuestionChars {
		return fmt.Errorf("%w (shorten it, or raise FOOTNOTE_MAX_QUESTION_CHARS, at most %d)", err, maxQuestionChars)
	}
	return err
}

// printAnswer writes an answer for people: the body, then numbered sources.
func printAnswer(w io.Writer, a *retrieval.Answer) {
	if a.Note != "" {
		fmt.Fprintln(w, a.Note)
	}
	fmt.Fprintln(w, a.Text)
	if len(a.Citations) > 0 {
		fmt.Fprintln(w, "\nSources:")
	}
	for _, c := range a.Citations {
		fmt.Fprintf(w, "[%d] %s%s%s%s\n", c.N, c.Title, siteSuffix(c.Site), dateSuffix(c.Published, c.Added), freshSuffix(c.Updated, c.Gone))
		if !strings.Contains(a.Text, c.Quote) { // quoted in the body already: not twice
			fmt.Fprintf(w, "    “%s”\n", snippet(c.Quote, 400))
		}
		fmt.Fprintf(w, "    %s\n", c.URL)
		if len(c.Also) > 0 {
			fmt.Fprintln(w, "    Also reported by:")
			for _, o := range c.Also {
				fmt.Fprintf(w, "    - %s%s%s\n      %s\n", o.Title, siteSuffix(o.Site), dateSuffix(o.Published, o.Added), o.URL)
			}
		}
	}
	if !a.Covered && len(a.Closest) > 0 {
		fmt.Fprintln(w, "\nClosest sources:")
		for _, r := range a.Closest {
			fmt.Fprintf(w, "- %s%s%s\n  %s\n", r.Title, dateSuffix(r.Published, r.Added), freshSuffix(r.Updated, r.Gone), r.URL)
		}
	}
}

// freshSuffix is ", updated 2026-03-03" when an article's text changed after it was added,
// and ", no longer online" when its page is gone; "" when neither.
func freshSuffix(updated, gone time.Time) string {
	s := ""
	if !updated.IsZero() {
		s += ", updated " + day(updated)
	}
	if !gone.IsZero() {
		s += ", no longer online"
	}
	return s
}

func siteSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " — " + s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func snippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
