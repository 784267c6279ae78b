// Package bot puts footnote on Discord: the slash commands, @mentions answered in threads,
// the buttons under answers, and the two transports (the gateway websocket and the HTTP
// interactions endpoint) that feed the same handlers. It reaches the retrieval core only
// through the Engine interface and never runs SQL or fetches articles itself.
package bot

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	dg "github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/redact"
)

// Engine is what the bot needs from retrieval; *retrieval.Engine satisfies it.
type Engine interface {
	Ask(ctx context.Context, collection, question string, opts retrieval.AskOptions) (*retrieval.Answer, error)
	AddURL(ctx context.Context, collection, rawURL, addedBy string) (*retrieval.AddedArticle, error)
	AddFile(ctx context.Context, collection, name string, data []byte, addedBy string) (*retrieval.AddedArticle, error)
	ListArticles(ctx context.Context, collection, query string, offset, limit int) ([]retrieval.Article, int, error)
	RemoveArticle(ctx context.Context, collection, url, requester string, admin bool) (*retrieval.Article, error)
	PlanReindex(ctx context.Context, collection string) (retrieval.ReindexPlan, error)
	Reindex(ctx context.Context, collection string, progress func(done, total int)) (retrieval.ReindexStats, error)
	Passage(ctx context.Context, collection string, chunkID int64) (*retrieval.PassageView, error)
	RecordFeedback(ctx context.Context, fb retrieval.Feedback) error
	GuildSettings(ctx context.Context, collection string) (retrieval.GuildSettings, error)
	UpdateGuildSettings(ctx context.Context, collection string, u retrieval.SettingsUpdate) (retrieval.GuildSettings, error)
	Track(ctx context.Context, collection, rawURL string, every time.Duration, addedBy, channel string) (*retrieval.FeedPoll, error)
	Feeds(ctx context.Context, collection string) ([]retrieval.Feed, error)
	AnnounceFeed(ctx context.Context, collection string, id int64, post retrieval.AnnounceFunc) (announced int, retry bool, err error)
	Untrack(ctx context.Context, collection, rawURL string) error
	Gaps(ctx context.Context, collection string, since time.Time, limit int) ([]retrieval.Gap, error)
}

// AnnounceQueue queues another try of the announcements of a feed that wait to be posted
// (jobs.Client.QueueAnnounce).
type AnnounceQueue interface {
	QueueAnnounce(ctx context.Context, collection string, feedID int64) error
}

// Config configures a Bot. Zero values take the defaults given on each field.
type Config struct {
	// Token is the bot token (DISCORD_TOKEN), with or without the "Bot " prefix. The gateway,
	// command registration and mention replies need it; replies to interactions do not.
	Token string
	// AppID is the application id (DISCORD_APP_ID), needed to register commands.
	AppID string
	// PublicKey is the application's hex Ed25519 public key (DISCORD_PUBLIC_KEY), needed by
	// HTTPHandler; without it every request to the endpoint is refused.
	PublicKey string
	// APIBase (DISCORD_API_BASE) replaces the Discord API root for every REST call, for a
	// REST proxy or a test server: "http://host:port" or "http://host:port/prefix", optionally
	// ending in "/api/vN". "" keeps discordgo's default.
	APIBase string
	// AdminRole (FOOTNOTE_ADMIN_ROLE) is a role id or role name whose members count as admins
	// besides those with the Manage Server permission, in servers whose admins have not
	// chosen a role of their own with /settings (theirs wins).
	AdminRole string
	// DevGuild (FOOTNOTE_DEV_GUILD) registers the commands on that guild only, for instant updates.
	DevGuild string
	// ShardID and ShardCount (FOOTNOTE_SHARD_ID, FOOTNOTE_SHARD_COUNT) split the gateway
	// across processes; ShardCount 0 means 1. They are taken as given: cmd/footnote's config
	// is their one check (0 <= ShardID < ShardCount), and New does not repeat it.
	ShardID, ShardCount int
	// MaxQuestionLen is the longest question accepted, in characters (default
	// retrieval.DefaultMaxQuestionChars).
	MaxQuestionLen int
	// RatePerMinute is how many commands and mentions one member may send per minute in one
	// guild (default 6).
	RatePerMinute int
	// GuildConcurrency is how many requests of one guild may be in flight at once (default 4).
	GuildConcurrency int
	// Workers is how many requests run at once in all (default 16).
	Workers int
	// QueueSize is how many more may wait for a worker (default 64).
	QueueSize int
	// MaxFileBytes is the largest attachment /add accepts (default 5 MiB).
	MaxFileBytes int64
	// ShutdownGrace bounds how long Close and the end of RunGateway wait for in-flight
	// answers before they cancel them; 0 leaves the bound to Close's context and to each
	// request's own timeout. Its one home is cmd/footnote (serve.go), which passes it in.
	ShutdownGrace time.Duration
	// GuildGrace (FOOTNOTE_GUILD_GRACE) is how long a server's articles are kept after the
	// server removes footnote (default retrieval.DefaultGuildGrace); see guilds.go.
	GuildGrace time.Duration
	// HTTPClient carries REST calls and attachment downloads; nil means a default client.
	HTTPClient *http.Client
	// Reindexer queues /reindex as a background job, whose progress is posted in the
	// channel (cmd/footnote wires it to retrieval/jobs); nil runs the reindex inside the
	// interaction, as the console does.
	Reindexer ReindexQueue
	// Announcements queues another try of a feed announcement Discord failed (cmd/footnote
	// wires it to retrieval/jobs' announce_feed); nil leaves it to the feed's next poll.
	Announcements AnnounceQueue
	// Redact masks secrets in the error text members see (a feed's last error, a failed
	// request's explanation); nil masks only what is shaped like a credential. The log is
	// the caller's to mask (cmd/footnote wraps its handler with the same Redactor).
	Redact *redact.Redactor
}

// MaxOptionChars is Discord's limit on a string option of a slash command, and so on
// Config.MaxQuestionLen.
const MaxOptionChars = 6000

const (
	defaultMaxQuestionLen   = retrieval.DefaultMaxQuestionChars
	defaultRatePerMinute    = 6
	defaultGuildConcurrency = 4
	defaultWorkers          = 16
	defaultQueueSize        = 64
	defaultMaxFileBytes     = 5 << 20
	defaultProgressEvery    = 2 * time.Second

	// jobTimeout bounds one request's work: an interaction token lasts 15 minutes.
	jobTimeout = 14 * time.Minute
	// ackTimeout bounds an acknowledgement: Discord waits 3 seconds for it.
	ackTimeout = 3 * time.Second
)

// Bot serves footnote on Discord. Create it with New; it is safe for concurrent use.
type Bot struct {
	cfg      Config
	eng      Engine
	log      *slog.Logger
	session  *dg.Session
	pubKey   ed25519.PublicKey
	download *http.Client
	metrics  *metrics
	rate     *rateLimiter
	pool     *pool
	commands map[string]*command
	roles    roleCache
	perms    permsCache                        // footnote's own permissions per channel, for mentions
	settings ttlCache[retrieval.GuildSettings] // by guild, for settingsTTL
	grants   ttlCache[bool]                    // "guild/command" has overrides, for overrideTTL
	langs    ttlCache[lang]                    // a server's language read over REST, for serverLangTTL
	botRoles botRoles                          // the bot's managed role per guild, for role mentions

	// progressEvery throttles /reindex progress edits; tests shorten it.
	progressEvery time.Duration
	now           func() time.Time

	mu        sync.Mutex
	botUserID string // learned from READY; mentions need it
	gateway   bool   // RunGateway has opened the session
	conn      gatewayConn
	guilds    guildSet // the servers the gateway says footnote is in (reconcile.go)
	closeOnce sync.Once
	closeErr  error
}

// New checks cfg, fills in defaults and returns a Bot that has not yet connected to anything.
// It returns an error when cfg is invalid (naming the setting), eng is nil, or the metrics
// cannot be registered on reg. A nil log discards logs; a nil reg gets a private registry.
func New(cfg Config, eng Engine, log *slog.Logger, reg prometheus.Registerer) (*Bot, error) {
	if eng == nil {
		return nil, errors.New("bot: nil Engine")
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	b := &Bot{
		cfg:           cfg,
		eng:           eng,
		log:           log,
		rate:          newRateLimiter(cfg.RatePerMinute),
		pool:          newPool(cfg.Workers, cfg.QueueSize, cfg.GuildConcurrency),
		progressEvery: defaultProgressEvery,
		now:           time.Now,
	}
	if cfg.PublicKey != "" {
		key, err := hex.DecodeString(cfg.PublicKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			return nil, errors.New("bot: public key (DISCORD_PUBLIC_KEY) must be 64 hex characters")
		}
		b.pubKey = ed25519.PublicKey(key)
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	b.metrics = m
	b.download = cfg.HTTPClient
	if b.download == nil {
		b.download = &http.Client{Timeout: time.Minute}
	}
	if b.session, err = b.newSession(); err != nil {
		return nil, err
	}
	b.commands = b.commandTable()
	b.conn = gatewayConn{intents: gatewayIntents, drops: make(chan struct{}, 1)}
	return b, nil
}

// fill validates c and sets its defaults.
func (c *Config) fill() error {
	ints := []struct {
		v    *int
		def  int
		name string
	}{
		{&c.MaxQuestionLen, defaultMaxQuestionLen, "MaxQuestionLen"},
		{&c.RatePerMinute, defaultRatePerMinute, "RatePerMinute"},
		{&c.GuildConcurrency, defaultGuildConcurrency, "GuildConcurrency"},
		{&c.Workers, defaultWorkers, "Workers"},
		{&c.QueueSize, defaultQueueSize, "QueueSize"},
	}
	for _, f := range ints {
		switch {
		case *f.v < 0:
			return fmt.Errorf("bot: %s must not be negative", f.name)
		case *f.v == 0:
			*f.v = f.def
		}
	}
	if c.MaxQuestionLen > MaxOptionChars {
		return fmt.Errorf("bot: MaxQuestionLen must be at most %d (Discord's option limit)", MaxOptionChars)
	}
	if c.MaxFileBytes < 0 {
		return errors.New("bot: MaxFileBytes must not be negative")
	}
	if c.MaxFileBytes == 0 {
		c.MaxFileBytes = defaultMaxFileBytes
	}
	if c.ShutdownGrace < 0 {
		return errors.New("bot: ShutdownGrace must not be negative")
	}
	if c.ShardCount == 0 {
		c.ShardCount = 1
	}
	if c.GuildGrace < 0 {
		return errors.New("bot: GuildGrace must not be negative")
	}
	if c.GuildGrace == 0 {
		c.GuildGrace = retrieval.DefaultGuildGrace
	}
	return nil
}

// newSession builds a discordgo session for REST calls (redirected to cfg.APIBase when
// set); the gateway's sessions are built on it (newGatewaySession).
func (b *Bot) newSession() (*dg.Session, error) {
	token := strings.TrimSpace(b.cfg.Token)
	if token != "" && !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := dg.New(token)
	if err != nil {
		return nil, fmt.Errorf("bot: discord session: %w", err)
	}
	var next http.RoundTripper = http.DefaultTransport
	timeout := 30 * time.Second
	if c := b.cfg.HTTPClient; c != nil {
		if c.Transport != nil {
			next = c.Transport
		}
		if c.Timeout > 0 {
			timeout = c.Timeout
		}
	}
	if b.cfg.APIBase != "" {
		next, err = newAPIBaseTransport(b.cfg.APIBase, next)
		if err != nil {
			return nil, err
		}
	}
	// Rate limits and Discord's 5xx are retried by restRetry, within bounds; discordgo's
	// own retries (unbounded for a 429) never see one.
	s.Client = &http.Client{Transport: &restRetry{next: next}, Timeout: timeout}
	s.ShardID, s.ShardCount = b.cfg.ShardID, b.cfg.ShardCount
	s.State.MaxMessageCount = 0
	s.State.TrackMembers = false
	s.State.TrackPresences = false
	s.State.TrackVoice = false
	s.State.TrackEmojis = false
	return s, nil
}

// Close stops taking new work and waits for in-flight requests, bounded by ctx and
// cfg.ShutdownGrace (when set); then it cancels what is left, whose members are told to
// retry, and closes the gateway if it is open. It returns an error when cancelled work was
// still running after that (its members may not have been told) or the session failed to
// close; work cancelled and told is logged, not an error. Calling it again returns the
// first result.
func (b *Bot) Close(ctx context.Context) error {
	b.closeOnce.Do(func() {
		b.closeErr = b.stop(ctx)
	})
	return b.closeErr
}

// withGrace bounds ctx by cfg.ShutdownGrace when it is set; unset, in-flight work is bounded
// by ctx and by each job's own timeout.
func (b *Bot) withGrace(ctx context.Context) (context.Context, context.CancelFunc) {
	if b.cfg.ShutdownGrace > 0 {
		return context.WithTimeout(ctx, b.cfg.ShutdownGrace)
	}
	return context.WithCancel(ctx)
}

// stop waits for in-flight work (for the grace, then cancelled) and closes the gateway if
// it is open. It returns what went wrong in either.
func (b *Bot) stop(ctx context.Context) error {
	grace, cancel := b.withGrace(ctx)
	defer cancel()
	var err error
	cancelled, abandoned := b.pool.drain(grace)
	switch {
	case abandoned > 0:
		err = fmt.Errorf("shutdown: %d request(s) still running after the grace period and their cancellation", abandoned)
	case cancelled > 0:
		b.log.Warn("shutdown: requests outlasted the shutdown grace; cancelled, their members were told to retry", "requests", cancelled)
	}
	b.mu.Lock()
	gw := b.conn.session
	if !b.gateway {
		gw = nil
	}
	b.gateway = false
	b.mu.Unlock()
	if gw != nil {
		if cerr := gw.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close gateway: %w", cerr))
		}
	}
	return err
}
