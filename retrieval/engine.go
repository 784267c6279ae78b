package retrieval

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/fetch"
	"github.com/footnote-bot/footnote/retrieval/text"
)

// Config wires an Engine. Embedder and Answerer are required.
type Config struct {
	Embedder embed.Embedder
	Answerer Answerer
	// Overview answers requests for an overview ("tell me about X"; Evidence.Request);
	// nil: Answerer answers them too.
	Overview Answerer
	Fetcher  *fetch.Fetcher // nil: fetch.New(fetch.Config{}), private addresses refused
	Log      *slog.Logger   // nil: discard
	// Judge, when set, is a sentence encoder (JudgeModel) whose cosine between the question
	// and the first quote the second coverage check weighs too (Signals.Semantic, the
	// coverJudged* model). nil, or a judge that fails or runs out of time on a question:
	// the check weighs the words alone, as without one.
	Judge embed.Embedder

	// MaxQuestionChars bounds a question (default DefaultMaxQuestionChars); longer ones are
	// refused.
	MaxQuestionChars int
	// MaxArticleBytes bounds an article's text (default 2 MiB); larger ones are refused.
	MaxArticleBytes int
	// MinCoverage is the share of the question's weight (IDF) that the best passage must
	// hold for footnote to answer (default 0.35); below it, the answer says the tracked
	// articles do not cover the question.
	MinCoverage float64
	// DenseWeight is the dense arm's weight in rank fusion, the lexical arm's being 1
	// (default 0.3: the offline embedder is lexical too, and weaker than BM25).
	DenseWeight float64
	// AnswerTimeout is the deadline for a whole question: retrieval (the database work),
	// embedding and the chat model together (default DefaultAnswerTimeout). Model calls get
	// all of it but modelReserve; one that runs out is cut, and the answer is extractive and
	// says so. Database work that outlasts it fails the question; recording the question
	// afterwards has a short grace of its own (recordGrace).
	AnswerTimeout time.Duration
	// RecrawlSchedule is the wait before each recrawl of an article added from the web: the
	// first step after it is added, the second after the first recrawl, and so on; the
	// last step repeats (default DefaultRecrawlSchedule()). Steps are at least
	// MinRecrawlStep.
	RecrawlSchedule []time.Duration
	// OutageWait is how long an import waits for an unreachable database to come back,
	// trying again with backoff, before it stops with ErrUnavailable (default
	// DefaultOutageWait).
	OutageWait time.Duration
}

// DefaultMaxQuestionChars is the one default bound on a question's length, for the engine
// and the bot alike (cmd/footnote hands both the same value, FOOTNOTE_MAX_QUESTION_CHARS). A
// real question fits in a few hundred characters; 1000 leaves room for one pasted sentence
// and keeps a question from outweighing the passages it is matched to.
const DefaultMaxQuestionChars = 1000

// Engine is footnote's retrieval core: ingestion, search and answers over a Store.
type Engine struct {
	store *Store
	cfg   Config
	// space is the configured embedder's space (never nil): written again only when a
	// write found its row deleted (withSpace).
	space atomic.Pointer[Space]
	log   *slog.Logger

	keywordsOnly keywordsOnly // what the log has said about searches without the dense arm
	// spaceRowsSeen is recent counts of each space's vectors (spaceRows), which choose the
	// dense arm's scan.
	spaceRowsSeen spaceRowsCache
	// feedItemsDeadline is how long one feed poll may spend adding its items
	// (feedItemsDeadline; tests shorten it).
	feedItemsDeadline time.Duration
	// reindexBatch and relexBatch are a reindex's batch sizes (the constants; tests shrink
	// them).
	reindexBatch, relexBatch int
	// departureBatch is how many articles one transaction of a departed server's deletion
	// takes (the constant; tests shrink it).
	departureBatch int
	// partitionAfter is how many passages give a collection partitions of its own (the
	// constant; tests shrink it).
	partitionAfter int
	// partitionWait holds back collections whose move failed lately (partitionIfLarge).
	partitionWait partitionBackoff
	// importLimits bound an import's batches, transactions and what it holds at once
	// (defaultImportLimits; tests shrink them).
	importLimits importLimits
	// importDone, when set (by a test), gets what each import held at most.
	importDone func(importHeld)
}

// New returns an engine over store, creating the configured embedder's space if needed. It
// fails when the space cannot be created.
func New(ctx context.Context, store *Store, cfg Config) (*Engine, error) {
	if cfg.Embedder == nil || cfg.Answerer == nil {
		return nil, fmt.Errorf("retrieval.New: an embedder and an answerer are required")
	}
	if cfg.Fetcher == nil {
		cfg.Fetcher = fetch.New(fetch.Config{})
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxQuestionChars <= 0 {
		cfg.MaxQuestionChars = DefaultMaxQuestionChars
	}
	if cfg.MaxArticleBytes <= 0 {
		cfg.MaxArticleBytes = 2 << 20
	}
	if cfg.MinCoverage <= 0 {
		cfg.MinCoverage = defaultMinCoverage
	}
	if cfg.DenseWeight <= 0 {
		cfg.DenseWeight = defaultDenseWeight
	}
	if cfg.AnswerTimeout <= 0 {
		cfg.AnswerTimeout = DefaultAnswerTimeout
	}
	if len(cfg.RecrawlSchedule) == 0 {
		cfg.RecrawlSchedule = DefaultRecrawlSchedule()
	}
	for _, d := range cfg.RecrawlSchedule {
		if d < MinRecrawlStep {
			return nil, fmt.Errorf("retrieval.New: recrawl step %s is under %s", d, MinRecrawlStep)
		}
	}
	if cfg.OutageWait <= 0 {
		cfg.OutageWait = DefaultOutageWait
	}
	// A model wider than MaxEmbedDims is ErrTooManyDims here, before anything is created.
	space, err := store.ensureSpace(ctx, cfg.Embedder.Model(), cfg.Embedder.Dims())
	if err != nil {
		return nil, err
	}
	e := &Engine{store: store, cfg: cfg, log: cfg.Log, feedItemsDeadline: feedItemsDeadline,
		reindexBatch: reindexBatch, relexBatch: relexBatch, departureBatch: departureBatch,
		partitionAfter: partitionAfter, importLimits: defaultImportLimits}
	e.space.Store(&space)
	return e, nil
}

// Space returns the embedding space new passages are embedded into.
func (e *Engine) Space() Space { return *e.space.Load() }

// withSpace runs write with the configured space. When the space's row was deleted
// meanwhile (a reindex in another process found it unused: deleteUnusedSpaces), it creates
// the space again, remembers it, and runs write once more. It returns write's error.
func (e *Engine) withSpace(ctx context.Context, write func(Space) error) error {
	sp := e.Space()
	err := write(sp)
	if !isSpaceGone(err) {
		return err
	}
	e.log.InfoContext(ctx, "embedding space was deleted as unused; creating it again", "space", sp.Name())
	again, err := e.store.ensureSpace(ctx, sp.Model, sp.Dims)
	if err != nil {
		return err
	}
	e.space.Store(&again)
	return write(again)
}

// Search returns the k passages of collection that best match query, best first. It fails
// on an empty query or a database error.
func (e *Engine) Search(ctx context.Context, coll, query string, k int, f Filter) ([]Result, error) {
	if strings.TrimSpace(query) == "" {
		return nil, ErrQuestionEmpty
	}
	res, _, _, err := e.search(ctx, coll, query, k, f)
	return res, err
}

// search returns the ranked passages, the question's terms, and the coverage of the best
// of the top passages (see coverage).
func (e *Engine) search(ctx context.Context, coll, query string, k int, f Filter) ([]Result, queryTerms, float64, error) {
	if k <= 0 {
		k = 10
	}
	ctx = e.store.pinReads(ctx, coll) // one server for all of the search's queries
	q, err := e.store.lookupTerms(ctx, coll, query)
	if err != nil || q.n == 0 || len(q.terms) == 0 {
		// Nothing stored, or a query of stop words only: nothing can match it.
		return nil, q, 0, err
	}
	var lex, dense []hit
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		lex, err = e.store.searchLexical(gctx, coll, q, f, max(k, candidates))
		return err
	})
	// The dense arm runs only while the collection's active space is the configured one:
	// after a change of model, until a reindex switches spaces, vectors of the new model
	// cannot be compared with the stored ones and the lexical arm answers alone. It also
	// rests for a while after the embedding server failed (skipEmbed). Either way the log
	// says so once, with the fix. In the offline hash embedder's space it never runs
	// (hashDenseArm: it adds nothing the lexical arm and the reranker do not).
	space := e.Space()
	switch {
	case q.activeS != space.ID:
		if q.activeS != 0 {
			e.warnStaleSpace(ctx, coll, q.activeS)
		}
	case !space.searched():
	case e.skipEmbed():
	default:
		g.Go(func() error {
			rows, err := e.indexRows(gctx, space.ID, q)
			if err != nil {
				return err
			}
			ectx, end := modelContext(gctx) // within Ask, bounded by the question's deadline
			vs, err := e.cfg.Embedder.Embed(ectx, []string{query})
			end(err)
			if err != nil {
				e.embedFailed(gctx, err)
				return nil
			}
			e.embedWorked(gctx)
			dense, err = e.store.searchDense(gctx, coll, space, vs[0], exactScan(space, q.n, rows, f != Filter{}), f, max(k, candidates))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, q, 0, err
	}
	depth := max(k, rerankDepth)
	res, lex, err := e.distinctCandidates(ctx, coll, q, f, lex, dense, max(k, candidates), k, depth)
	if err != nil {
		return nil, q, 0, err
	}
	lexScore := make(map[int64]float64, len(lex))
	for _, h := range lex {
		lexScore[h.chunkID] = h.score
	}
	res, held := rerank(q, res, lexScore)
	if len(res) > k {
		res = res[:k]
	}
	for i := range res {
		res[i].Rank = i + 1 // Score is the reranker's, which set this order
	}
	return res, q, coverage(q, held), nil
}

// distinctCandidates fuses the arms' lists and returns the first depth distinct passages
// in fused order (copies of a passage above them left out: copies), with the lexical list
// they were fused from. When copies leave fewer than the k passages asked for and the
// lexical arm had more to give (it returned all lexK it was asked for), the lexical arm is
// asked once more for refillFactor times as many, and the passages not read yet are read:
// a collection that holds a story many times over still answers with k distinct passages.
func (e *Engine) distinctCandidates(ctx context.Context, coll string, q queryTerms, f Filter, lex, dense []hit, lexK, k, depth int) ([]Result, []hit, error) {
	var kept copies
	read := map[int64]bool{}
	for round := 0; ; round++ {
		fused := fuse([][]hit{lex, dense}, []float64{lexicalWeight, e.cfg.DenseWeight})
		// Every candidate of the lists is read, not only the reranker's depth: copies give
		// their places to the next passages.
		if n := max(depth, lexK); len(fused) > n {
			fused = fused[:n]
		}
		ids := make([]int64, 0, len(fused))
		for _, h := range fused {
			if !read[h.chunkID] {
				ids = append(ids, h.chunkID)
				read[h.chunkID] = true
			}
		}
		res, err := e.store.loadResults(ctx, coll, ids)
		if err != nil {
			return nil, nil, err
		}
		kept.add(res, depth)
		if len(kept.res) >= k || len(lex) < lexK || round == refillRounds {
			break
		}
		lexK *= refillFactor
		if lex, err = e.store.searchLexical(ctx, coll, q, f, lexK); err != nil {
			return nil, nil, err
		}
	}
	// Passages a refill read come after the first round's, in fused order among themselves.
	return kept.res, lex, nil
}

// Ask answers question from the collection's articles with verified citations. When the
// best evidence is too weak, the answer is not Covered, cites nothing and lists the closest
// sources. Every question is recorded (the misses show coverage gaps). It fails on an empty
// or over-long question (ErrQuestionEmpty, ErrInvalidInput), a database error, or a
// question whose database work outlasts Config.AnswerTimeout (context.DeadlineExceeded).
func (e *Engine) Ask(ctx context.Context, coll, question string, opts AskOptions) (*Answer, error) {
	start := time.Now()
	question = strings.TrimSpace(cleanText(question))
	if question == "" {
		return nil, ErrQuestionEmpty
	}
	if n := utf8.RuneCountInString(question); n > e.cfg.MaxQuestionChars {
		return nil, fmt.Errorf("%w: the question has %d characters; the limit is %d", ErrInvalidInput, n, e.cfg.MaxQuestionChars)
	}
	if opts.K <= 0 {
		opts.K = 8
	}
	// One deadline for the whole question: the database work runs under it, and the model
	// calls (the embedding in search, the chat model in the answerer) under an earlier one
	// that keeps modelReserve back for what runs after a cut call (the extractive answer,
	// the second coverage check).
	actx, cancel := context.WithTimeout(ctx, e.cfg.AnswerTimeout)
	defer cancel()
	b := &budget{deadline: start.Add(e.cfg.AnswerTimeout - modelReserve(e.cfg.AnswerTimeout))}
	ans, retrieved, err := e.answer(withBudget(actx, b), coll, question, opts)
	if err != nil && IsUnavailable(err) && actx.Err() == nil {
		// Once more, at once: the first statement to meet a connection a restarted server
		// had ended failed, and the pool dropped every connection it held (resetOnOutage).
		// A server that is back answers on new ones; one still down refuses in milliseconds.
		e.log.Info("question met a lost database connection; asking again", "err", err)
		ans, retrieved, err = e.answer(withBudget(actx, b), coll, question, opts)
	}
	if err != nil {
		if ctx.Err() == nil && actx.Err() != nil {
			return nil, fmt.Errorf("the question was not answered within %v: %w", e.cfg.AnswerTimeout, err)
		}
		return nil, err
	}
	if b.cut.Load() && ans.Covered {
		ans.Note = SlowModelNote
	}
	ans.Retrieval, ans.Took = retrieved, time.Since(start)
	// The record has a grace of its own: the answer is made, and should not be lost to a
	// deadline that passed while it was.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), recordGrace)
	id, err := e.store.insertQuestion(rctx, coll, opts.AskedBy, question, ans)
	rcancel()
	if err != nil {
		// The answer is still good; the record is for coverage reports.
		e.log.Warn("record question failed", "err", err)
	}
	ans.QuestionID = id
	return ans, nil
}

// answer is Ask's work under the question's deadline (ctx carries its budget for model
// calls): retrieval, the first coverage check, the answerer and the second check. It
// returns the answer and the time retrieval took.
func (e *Engine) answer(ctx context.Context, coll, question string, opts AskOptions) (*Answer, time.Duration, error) {
	start := time.Now()
	// "Tell me about X" asks about X: the phrasing is not content, for retrieval and
	// coverage alike.
	topic, isRequest := text.StripRequest(question)
	query := topic
	if p := strings.TrimSpace(opts.Previous); p != "" {
		// A follow-up ("and when did it open?") leans on the earlier turn for its subject.
		query = truncateRunes(p, e.cfg.MaxQuestionChars) + "\n" + topic
	}
	if a := strings.TrimSpace(opts.PreviousAnswer); a != "" {
		// ...and on what footnote answered it: the earlier quotes name who "he" and "it" are.
		query = truncateRunes(a, e.cfg.MaxQuestionChars) + "\n" + query
	}
	res, q, cover, err := e.search(ctx, coll, query, opts.K, opts.Filter)
	if err != nil {
		return nil, 0, err
	}
	retrieved := time.Since(start)
	if cover < e.cfg.MinCoverage {
		return NotCovered(res), retrieved, nil
	}
	// The answerer reads the question's misspelt words as the collection spells them; the
	// second check below reads them so too.
	if q.near, err = e.spellings(ctx, coll, q); err != nil {
		return nil, 0, err
	}
	answerer := e.cfg.Answerer
	if isRequest && e.cfg.Overview != nil {
		answerer = e.cfg.Overview
	}
	mctx, end := modelContext(ctx)
	ans, err := answerer.Answer(mctx, Evidence{Question: topic, Passages: res, TermWeights: q.weights(), Spellings: q.near,
		MinShare: e.cfg.MinCoverage, Request: isRequest})
	if err == nil && ans.LLMFailed {
		end(ans.LLMErr) // the fallback answered: was the model cut?
	} else {
		end(nil)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("answer: %w", err)
	}
	// The second check weighs the first quote, of an answer and of an overview alike: an
	// overview whose best quote does not hold its topic is about something else.
	if ans.Covered {
		sig, ok, err := e.quoteSignals(ctx, coll, q, res, ans)
		if err != nil {
			return nil, 0, err
		}
		if ok && e.cfg.Judge != nil {
			e.judgeQuote(ctx, topic, ans.Citations[0].Quote, &sig)
		}
		if !ok || ((sig.CoverScore() < 0 || isRequest && !sig.HoldsTopic()) && !opts.KeepQuote) {
			ans = NotCovered(res) // the quote does not hold the question: cite nothing
		}
		if ok {
			ans.Signals = &sig
		}
	}
	fillArticleFacts(ans, res)
	return ans, retrieved, nil
}

// NotCovered is the answer when the tracked articles do not answer the question: it says
// so, cites nothing, and lists as the closest sources the best passage of each of the first
// maxClosest articles in res (an article is listed once, however many of its passages rank).
func NotCovered(res []Result) *Answer {
	var closest []Result
	seen := make(map[int64]bool, maxClosest)
	for _, r := range res {
		if len(closest) == maxClosest {
			break
		}
		if !seen[r.ArticleID] {
			seen[r.ArticleID] = true
			closest = append(closest, r)
		}
	}
	return &Answer{
		Mode:    ModeExtractive,
		Text:    "The tracked articles do not seem to answer this question.",
		Covered: false,
		Closest: closest,
	}
}

// maxClosest is how many closest sources a "not covered" answer lists.
const maxClosest = 3

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
