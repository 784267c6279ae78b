// Package retrieval is footnote's core: articles, passages, embeddings, hybrid search and
// cited answers, stored in Postgres with pgvector. It knows nothing of Discord.
package retrieval

import (
	"context"
	"time"
)

// DefaultCollection is the collection the command line uses when none is given.
const DefaultCollection = "default"

// Article is one tracked article.
type Article struct {
	ID         int64
	Collection string
	URL        string // canonical
	Title      string
	Byline     string
	Site       string
	Published  time.Time // zero when unknown
	FetchedAt  time.Time // when it was added: what a reader sees when Published is unknown
	// Updated is when its text last changed after it was added (a recrawl found a new
	// version, or it was added again with new text); zero when it never did.
	Updated  time.Time
	Gone     time.Time // when its page first answered 404 or 410; zero while it is online
	Hash     string    // hex sha256 of Text
	Text     string
	AddedBy  string // who added it (a Discord user id, or "" from the command line)
	Passages int    // number of passages, filled by listing queries
}

// Filter narrows a search. Collection is always applied; the rest only when set.
type Filter struct {
	Since time.Time // published on or after
	Until time.Time // published before
	Site  string    // article site (host or site name), case-insensitive
}

// AskOptions narrow and inform a question.
type AskOptions struct {
	Filter Filter
	// Previous is the earlier turn of a conversation (a thread follow-up): it informs
	// retrieval but is not itself answered.
	Previous string
	// PreviousAnswer is footnote's own answer to Previous (its text and cited quotes): it
	// informs retrieval too, so a follow-up that names its subject only by a pronoun ("what
	// did he say about it?") finds the articles the earlier answer quoted.
	PreviousAnswer string
	// AskedBy is recorded with the question (a Discord user id, or "").
	AskedBy string
	// K is how many passages the answerer sees (default 8).
	K int
	// KeepQuote is for calibration (`footnote eval`): the answer keeps its quote even when
	// the second coverage check would refuse it, and the caller decides with
	// Answer.Refused. The question is recorded as answered.
	KeepQuote bool
}

// Result is one ranked passage from a search.
type Result struct {
	Rank      int
	ChunkID   int64
	ArticleID int64
	URL       string
	Title     string
	Site      string
	Published time.Time // zero when unknown
	Added     time.Time // when the article was added; shown when Published is unknown
	Updated   time.Time // when the article's text last changed after it was added; zero when never
	Gone      time.Time // when the article's page was found gone (404, 410); zero while online
	Text      string
	Start     int // offsets of Text in the article text
	End       int
	Score     float64 // the reranker's: higher is better, never higher than the rank above
	// Also are other articles that ran this passage (the same story under another URL, a
	// word or two changed), found among the passages read for the question and left out of
	// the results as copies of it: at most maxAlso, in the order they ranked.
	Also []Source
}

// Source is an article named beside a passage: one that ran the same text.
type Source struct {
	ArticleID int64
	URL       string
	Title     string
	Site      string
	Published time.Time // zero when unknown
	Added     time.Time // when the article was added
}

// Citation is one verified quote: Quote is an exact substring of the cited article's text.
type Citation struct {
	N         int
	ChunkID   int64
	ArticleID int64
	URL       string
	Title     string
	Site      string
	Published time.Time // zero when unknown
	Added     time.Time // when the article was added; shown when Published is unknown
	Updated   time.Time // when the article's text last changed after it was added; zero when never
	Gone      time.Time // when the article's page was found gone (404, 410); zero while online
	Quote     string
	Start     int // offsets of Quote in the article text
	End       int
	Also      []Source // other articles that ran the quoted passage (Result.Also)
}

// Answer modes.
const (
	ModeExtractive = "extractive"
	ModeLLM        = "llm"
)

// Answer is footnote's reply to a question.
type Answer struct {
	Mode      string     // ModeExtractive or ModeLLM
	Text      string     // body with [n] markers; never contains a URL from model text
	Citations []Citation // numbered from 1, in order
	Covered   bool       // false when the tracked articles do not answer the question
	Closest   []Result   // when not covered: the closest sources, for the reader to check
	// QuestionID identifies the recorded question (for feedback); 0 when not recorded.
	QuestionID int64
	// LLMFailed is set when an LLM was asked but its answer was not used (the call failed,
	// or nothing it cited checked out): this answer is the extractive fallback.
	LLMFailed bool
	// LLMErr is the model call's error when LLMFailed because the call failed (nil when
	// its answer did not check out): the engine tells from it whether the question's
	// deadline cut the model (SlowModelNote).
	LLMErr error
	// Note is one line the reader should see with the answer, or "": SlowModelNote when
	// the question's deadline cut a model call and the covered answer was made without it.
	Note string
	// Signals are the second coverage check's measures of the first quote (nil when the
	// answer was refused before quoting); the answer was refused when
	// Signals.CoverScore is below 0.
	Signals   *Signals
	Retrieval time.Duration // time spent retrieving passages
	Took      time.Duration // time spent in all, retrieval included
}

// Evidence is what an answerer works from: the question and the ranked passages.
type Evidence struct {
	Question string
	Passages []Result // best first
	// TermWeights maps a question term (as text.Terms gives it) to its IDF in the collection.
	TermWeights map[string]float64
	// Spellings maps a question term no passage of the collection holds to the
	// collection's terms it is likely a misspelling of ("sieg" for "seige"): a passage
	// holding one of them holds the question's word (text.Question.Spell).
	Spellings map[string][]string
	// MinShare is the share of the question's weight (TermWeights) a passage must hold, with
	// its article's title, to be quoted in an overview: the engine's MinCoverage. An
	// article that only mentions one of the topic's words is not about the topic.
	MinShare float64
	// Request is set when the question asked for an overview ("tell me about X",
	// "summarize the news about X"; text.StripRequest): Question is then the topic alone,
	// and the answer should summarise the passages with citations rather than answer one
	// point.
	Request bool
}

// Answerer turns evidence into a cited answer. Implementations: answer.Extractive and
// answer.LLM. It returns an error only when no answer at all could be made.
type Answerer interface {
	Answer(ctx context.Context, ev Evidence) (*Answer, error)
}
