package answer

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/text"
)

// Completer is a chat model: one system and one user message in, the reply's text out.
type Completer interface {
	// Complete returns the model's reply, or "" and an error when none could be had.
	Complete(ctx context.Context, system, user string) (string, error)
}

// LLM answers from the passages with a chat model, then checks the reply against them:
// markers must name a passage, quotes must be verbatim, every sentence must be supported by
// the passages it cites (see keepSupported), and no link from the model survives. When the
// model fails or nothing checks out it hands the question to its fallback.
type LLM struct {
	c        Completer
	fallback retrieval.Answerer
	log      *slog.Logger
}

// NewLLM returns an LLM answerer that asks c and falls back to fallback (normally the
// extractive answerer; Overview for requests, see fallbackFor), which must not be nil. A nil log discards. It never fails.
func NewLLM(c Completer, fallback retrieval.Answerer, log *slog.Logger) *LLM {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &LLM{c: c, fallback: fallback, log: log}
}

// Answer returns a cited answer (Mode ModeLLM), a not-covered answer with the three closest
// passages when the model says the passages do not answer, or the fallback's answer when
// the model fails or none of its citations survive verification. It returns an error only
// when the fallback is needed and fails.
func (l *LLM) Answer(ctx context.Context, ev retrieval.Evidence) (*retrieval.Answer, error) {
	if len(ev.Passages) == 0 { // nothing to cite: the fallback says so in its own way
		return l.fallbackFor(ev).Answer(ctx, ev)
	}
	system, user := prompt(ev)
	reply, err := l.c.Complete(ctx, system, user)
	if err != nil {
		return l.fall(ctx, ev, "completion_failed", err)
	}
	if notCoveredRE.MatchString(reply) {
		ans := retrieval.NotCovered(ev.Passages) // one not-covered answer, whoever decides it
		ans.Mode = retrieval.ModeLLM             // here the model did, not the coverage check
		return ans, nil
	}
	ans, st := verify(reply, ev.Passages)
	l.log.DebugContext(ctx, "llm answer verified", "citations", len(ans.Citations),
		"dropped_markers", st.markers, "dropped_quotes", st.quotes, "removed_urls", st.urls,
		"unsupported_sentences", st.unsupported)
	if len(ans.Citations) == 0 {
		return l.fall(ctx, ev, "no_valid_citations", nil)
	}
	return ans, nil
}

// fall logs why the model's answer was not used (once, here) and asks the fallback.
func (l *LLM) fall(ctx context.Context, ev retrieval.Evidence, reason string, err error) (*retrieval.Answer, error) {
	l.log.WarnContext(ctx, "llm answer unusable, answering extractively", "reason", reason, "err", err,
		"passages", len(ev.Passages))
	if ctx.Err() != nil {
		// The question's deadline cut the model: the fallback runs in the time kept for it.
		ctx = context.WithoutCancel(ctx)
	}
	ans, ferr := l.fallbackFor(ev).Answer(ctx, ev)
	if ferr != nil {
		return nil, fmt.Errorf("fallback answer after llm %s: %w", reason, ferr)
	}
	ans.LLMFailed, ans.LLMErr = true, err
	return ans, nil
}

// fallbackFor is the answerer that stands in for the model on ev: for a request for an
// overview (ev.Request) Overview, one key quote from each of the most relevant articles,
// where the fallback's single best sentence would cite one article of several; else the
// fallback.
func (l *LLM) fallbackFor(ev retrieval.Evidence) retrieval.Answerer {
	if ev.Request {
		return Overview{}
	}
	return l.fallback
}

var (
	// notCoveredRE is the prompt's protocol for "the passages do not answer": anywhere in
	// the reply, since a model that says so and then answers anyway has judged the
	// passages wanting, and footnote then cites none of them.
	notCoveredRE = regexp.MustCompile(`\bNOT[_ ]COVERED\b`)
	ctrlRE       = regexp.MustCompile(`[\x00-\x08\x0b-\x1f\x7f]`)
	markerRE     = regexp.MustCompile(`\[\s*\d+(?:\s*(?:[-–—,;]|and)\s*\d+)*\s*\]`)
	quoteRE      = regexp.MustCompile(`["“]([^"“”\n]+)["”]`)
	followRE     = regexp.MustCompile(`^(?:[^.!?\n"“”\[]{0,60}|[ \t]*[.,;:][ \t]*)(?:` + markerRE.String() + `[ \t]*)+`)
	numRE        = regexp.MustCompile(`(\d+)\s*[-–—]\s*(\d+)|\d+`)
	sentinelsRE  = regexp.MustCompile(`\x01\d+\x02(?:[ \t]*\x01\d+\x02)*`)
)

// Internal marks while verifying: \x01p\x02 is a citation of passage p (1-based) and \x03
// is where an unverifiable quote was cut. Control characters are removed from the reply
// first, so the model cannot forge them.
const cutMark = "\x03"

func sentinel(p int) string { return "\x01" + strconv.Itoa(p) + "\x02" }

type verifyStats struct{ markers, quotes, urls, unsupported int }

// span is a verified quote: Text[Start:End] of a passage.
type span struct{ start, end int }

type edit struct {
	start, end int
	repl       string
}

// verify checks a model reply against the passages and returns the answer it supports: its
// links removed, invented quotes cut, markers checked, unsupported sentences dropped, and
// the rest capped at maxAnswerRunes. Citations are empty when nothing checks out.
func verify(reply string, ps []retrieval.Result) (*retrieval.Answer, verifyStats) {
	var st verifyStats
	s := ctrlRE.ReplaceAllString(strings.ReplaceAll(reply, "NOT_COVERED", ""), "")
	s, st.urls = stripLinks(s)

	var edits []edit
	quoteFor := map[int]span{}    // passage (1-based) -> its first verified quote
	taken := make([]bool, len(s)) // inside a quote, or a marker cut with its quote
	take := func(a, b int) {
		for i := a; i < b; i++ {
			taken[i] = true
		}
	}
	for _, m := range quoteRE.FindAllStringSubmatchIndex(s, -1) {
		qs, qe, is, ie := m[0], m[1], m[2], m[3]
		if len(strings.Fields(s[is:ie])) < 3 {
			continue // a short term in quotes is not a quotation
		}
		take(qs, qe)
		follow := followingMarkers(s, qe)
		var cited []int
		for _, f := range follow {
			cited = append(cited, markerNums(s[f[0]:f[1]], len(ps))...)
		}
		candidates := cited
		if len(cited) == 0 {
			for p := range ps {
				candidates = append(candidates, p+1)
			}
		}
		a, b := trimQuote(s[is:ie])
		p, sp, ok := 0, span{}, false
		for _, c := range candidates {
			if sp.start, sp.end, ok = locate(ps[c-1].Text, s[is+a:is+b]); ok && !inInstruction(ps[c-1].Text, sp.start, sp.end) {
				p = c
				break
			}
			ok = false // a quoted instruction to the model is no quotation (injection.go)
		}
		if !ok { // an invented quote never reaches the reader, nor do its markers
			st.quotes++
			edits = append(edits, edit{qs, qe, cutMark})
			for _, f := range follow {
				edits = append(edits, edit{f[0], f[1], ""})
				take(f[0], f[1])
			}
			continue
		}
		if _, seen := quoteFor[p]; !seen {
			quoteFor[p] = sp
		}
		if exact := ps[p-1].Text[sp.start:sp.end]; exact != s[is+a:is+b] {
			edits = append(edits, edit{is + a, is + b, exact})
		}
		if len(cited) == 0 {
			edits = append(edits, edit{qe, qe, " " + sentinel(p)})
		}
	}
	for _, m := range markerRE.FindAllStringIndex(s, -1) {
		if taken[m[0]] {
			continue // quoted text, or cut with its quote
		}
		var repl strings.Builder
		nums := markerNums(s[m[0]:m[1]], len(ps))
		for _, n := range nums {
			repl.WriteString(sentinel(n))
		}
		if len(nums) == 0 {
			st.markers++
		}
		edits = append(edits, edit{m[0], m[1], repl.String()})
	}
	s, st.unsupported = keepSupported(tidy(applyEdits(s, edits)), ps)
	ans := cite(tidy(capSentences(s)), ps, quoteFor)
	// Cutting quotes and markers, and tidying, close up what stood around them: the model
	// can spell a link across them ("ht[9]tps:[9]//evil.example" or "council[9].airport"
	// become links once the invalid markers go). The finished text is stripped again, until
	// no link is left. Markers are never part of a link, so the citations stand.
	for {
		out, n := stripLinks(ans.Text)
		if n == 0 {
			break
		}
		ans.Text, st.urls = tidy(out), st.urls+n
	}
	return ans, st
}

// followingMarkers returns the spans of the first run of markers after a quote ending at i,
// in the same sentence: `"..." [1]`, `"...", [1][2]`, `"..." in March [2].`
func followingMarkers(s string, i int) [][]int {
	run := followRE.FindString(s[i:])
	out := markerRE.FindAllStringIndex(run, -1)
	for _, m := range out {
		m[0], m[1] = m[0]+i, m[1]+i
	}
	return out
}

// markerNums reads "[2]", "[1-3]", "[1, 4]" or "[2 and 5]" and returns the distinct numbers
// in 1..n it names, in order; a reversed or huge range yields its two ends.
func markerNums(m string, n int) []int {
	var out []int
	add := func(v int) {
		if v >= 1 && v <= n && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, g := range numRE.FindAllStringSubmatch(m, -1) {
		a, _ := strconv.Atoi(g[1])
		b, _ := strconv.Atoi(g[2])
		switch {
		case g[1] == "":
			v, _ := strconv.Atoi(g[0])
			add(v)
		case b < a || b-a > n:
			add(a)
			add(b)
		default:
			for x := a; x <= b; x++ {
				add(x)
			}
		}
	}
	return out
}

// trimQuote returns the core of a quote's inner text, without surrounding space, ellipses
// and the trailing punctuation a writer's style may add.
func trimQuote(q string) (int, int) {
	t := strings.TrimLeft(q, " \t.…")
	a := len(q) - len(t)
	return a, a + len(strings.TrimRight(t, " \t.…,;:"))
}

func applyEdits(s string, edits []edit) string {
	slices.SortStableFunc(edits, func(a, b edit) int { return cmp.Or(a.start-b.start, a.end-b.end) })
	var b strings.Builder
	at := 0
	for _, e := range edits {
		if e.start < at {
			continue // overlaps an earlier edit (cannot happen for well-formed matches)
		}
		b.WriteString(s[at:e.start] + e.repl)
		at = e.end
	}
	return b.String() + s[at:]
}

// tidy removes the traces of cut quotes and markers: a sentence left with fewer than four
// words goes, doubled spaces and punctuation close up, and blank lines collapse.
func tidy(s string) string {
	if strings.Contains(s, cutMark) {
		var b strings.Builder
		at := 0
		for _, sp := range text.Sentences(s) {
			sent := s[sp.Start:sp.End]
			b.WriteString(s[at:sp.Start])
			at = sp.End
			if strings.Contains(sent, cutMark) {
				sent = strings.ReplaceAll(sent, cutMark, "")
				if len(text.Tokens(sentinelsRE.ReplaceAllString(sent, ""))) < 4 {
					continue
				}
			}
			b.WriteString(sent)
		}
		s = strings.ReplaceAll(b.String()+s[at:], cutMark, "")
	}
	for _, r := range tidyRules {
		s = r.re.ReplaceAllString(s, r.to)
	}
	return strings.TrimSpace(s)
}

var tidyRules = []struct {
	re *regexp.Regexp
	to string
}{
	{regexp.MustCompile(`\(\s*\)|\[\s*\]`), ""}, // a link or marker whose inside was removed
	{regexp.MustCompile(`[ \t]+`), " "},
	{regexp.MustCompile(` ([.,;:!?])`), "$1"},
	{regexp.MustCompile(`[,;:]+([.!?])`), "$1"},
	{regexp.MustCompile(`(?m)^[ \t.,;:!?]+$|[ \t]+$`), ""},
	{regexp.MustCompile(`\n{3,}`), "\n\n"},
}

// cite numbers the cited passages 1..m in order of first appearance, rewrites the markers to
// match, and makes one citation per passage: its verified quote, else the passage sentence
// sharing most terms with the answer sentence that cites it.
func cite(s string, ps []retrieval.Result, quoteFor map[int]span) *retrieval.Answer {
	number := map[int]int{} // passage -> citation number
	var order []int
	s = sentinelsRE.ReplaceAllStringFunc(s, func(run string) string {
		var b strings.Builder
		var done []int
		for _, f := range strings.FieldsFunc(run, func(r rune) bool { return r < '0' || r > '9' }) {
			p, _ := strconv.Atoi(f)
			if slices.Contains(done, p) {
				continue
			}
			done = append(done, p)
			if _, ok := number[p]; !ok {
				order = append(order, p)
				number[p] = len(order)
			}
			fmt.Fprintf(&b, "[%d]", number[p])
		}
		return b.String()
	})
	ans := &retrieval.Answer{Mode: retrieval.ModeLLM, Text: s, Covered: true}
	sents := text.Sentences(s)
	for i, p := range order {
		r := ps[p-1]
		sp, ok := quoteFor[p]
		if !ok {
			sp = bestSentence(r.Text, citingSentence(s, sents, i+1))
		}
		ans.Citations = append(ans.Citations, retrieval.Citation{
			N: i + 1, ChunkID: r.ChunkID, ArticleID: r.ArticleID, URL: r.URL, Title: r.Title, Site: r.Site,
			Published: r.Published, Quote: r.Text[sp.start:sp.end], Start: r.Start + sp.start, End: r.Start + sp.end,
		})
	}
	return ans
}

// locate finds quote q in s: exactly, or else allowing typographic quotes, apostrophes,
// dashes, ellipses and runs of white space to differ. It returns q's byte offsets in s.
func locate(s, q string) (int, int, bool) {
	if q == "" {
		return 0, 0, false
	}
	if i := strings.Index(s, q); i >= 0 {
		return i, i + len(q), true
	}
	var b strings.Builder
	for i := 0; i < len(q); {
		r, n := utf8.DecodeRuneInString(q[i:])
		switch {
		case unicode.IsSpace(r):
			b.WriteString(`\s+`)
			n = len(q[i:]) - len(strings.TrimLeftFunc(q[i:], unicode.IsSpace))
		case r == '…' || strings.HasPrefix(q[i:], "..."):
			b.WriteString(`(?:\.\.\.|…)`)
			n = max(n, 3)
		case strings.ContainsRune(`'‘’‛′`, r):
			b.WriteString(`['‘’‛′]`)
		case strings.ContainsRune(`"“”„″`, r):
			b.WriteString(`["“”„″]`)
		case strings.ContainsRune("-–—‐‑", r):
			b.WriteString(`[-–—‐‑]`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
		i += n
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return 0, 0, false
	}
	if loc := re.FindStringIndex(s); loc != nil {
		return loc[0], loc[1], true
	}
	return 0, 0, false
}
