package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/retrieval/jobs"
)

// stopDeadline bounds the whole of serve's shutdown, which shares one context: the HTTP
// listeners stop (their in-flight requests finish) while the bot's Close spends up to
// shutdownGrace letting answers finish, then cancels the rest, tells their members to
// retry and closes the Discord session. The 5 s beyond the grace cover those notices and
// the session's close, so this outer deadline never cuts the bot's own grace short.
const stopDeadline = shutdownGrace + 5*time.Second

// newBot builds the bot on the engine; with queue (nil for none), /reindex queues a
// background job instead of running in the interaction, and an announcement Discord
// failed is tried again by a job.
func (m *Main) newBot(queue *jobQueue) (*bot.Bot, error) {
	var reindexer bot.ReindexQueue
	var announcements bot.AnnounceQueue
	if queue != nil {
		reindexer, announcements = queue, queue
	}
	c := m.Config
	return bot.New(bot.Config{
		Token: c.DiscordToken, AppID: c.DiscordAppID, PublicKey: c.DiscordPublicKey,
		APIBase: c.DiscordAPIBase, AdminRole: c.AdminRole, DevGuild: c.DevGuild,
		ShardID: c.ShardID, ShardCount: c.ShardCount, ShutdownGrace: shutdownGrace,
		RatePerMinute: c.RatePerMinute, GuildConcurrency: c.GuildConcurrency, Workers: c.Workers,
		MaxQuestionLen: c.MaxQuestionChars, GuildGrace: c.GuildGrace, Reindexer: reindexer, Announcements: announcements, Redact: m.redact,
	}, m.Engine, m.Log, newRegistry(m.Store.Collectors()...))
}

// newRegistry returns the registry served at FOOTNOTE_METRICS_ADDR: the bot's series, and
// the Go runtime's and the process's (go_goroutines, go_memstats_*,
// process_resident_memory_bytes, process_open_fds), which show a leak of goroutines,
// memory or connections over a long run; and more, such as the store's read replica series
// (footnote_db_reads_total, footnote_db_replica_lag_seconds).
func newRegistry(more ...prometheus.Collector) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(more...)
	return reg
}

// newHTTPServer returns a server of h whose own messages ("http: TLS handshake error",
// "superfluous response.WriteHeader", a handler's panic) go to log as warnings, with the
// rest of footnote's log, rather than to the standard logger.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

// cmdServe runs the Discord bot: over the gateway (DISCORD_TOKEN), or as an HTTP
// interactions endpoint with --http ADDR (DISCORD_PUBLIC_KEY); and, unless --no-worker or
// FOOTNOTE_SERVE_WORKER=false, the background jobs. It returns when ctx is cancelled
// (SIGINT, SIGTERM), after shutting down in reverse order of start: the HTTP listeners stop
// taking requests; in-flight answers and running jobs finish (each bounded by
// shutdownGrace, at the same time); the Discord session closes, then the database pools.
func (m *Main) cmdServe(ctx context.Context, args []string) error {
	fs, _ := m.newFlags("serve", false)
	httpAddr := fs.String("http", "", "serve Discord HTTP interactions at POST /interactions on this address")
	noWorker := fs.Bool("no-worker", false, "run no background jobs here (FOOTNOTE_SERVE_WORKER=false does the same): feed polls and reindexes need a `footnote worker` elsewhere")
	if pos, err := m.parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) != 0 {
		return m.usageError("serve")
	}
	if *httpAddr == "" && m.Config.DiscordToken == "" {
		return errors.New("DISCORD_TOKEN: required by `footnote serve` (or use --http ADDR with DISCORD_PUBLIC_KEY)")
	}
	if *httpAddr != "" && m.Config.DiscordPublicKey == "" {
		return errors.New("DISCORD_PUBLIC_KEY: required by `footnote serve --http`")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	queue := &jobQueue{}
	b, err := m.newBot(queue)
	if err != nil {
		return err
	}
	if err := m.openJobs(ctx, m.serveWork(*noWorker), b); err != nil {
		return err
	}
	queue.c = m.Jobs
	if err := m.Jobs.Start(ctx); err != nil {
		return err
	}
	b.RegisterOnStart(ctx) // shard 0 only; a failure is logged, not fatal

	g, gctx := errgroup.WithContext(ctx)
	var servers []*http.Server
	serve := func(addr string, h http.Handler, what string) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("%s: listen on %s: %w", what, addr, err)
		}
		srv := newHTTPServer(h, m.Log)
		servers = append(servers, srv)
		m.Log.Info("listening", "what", what, "addr", ln.Addr().String())
		g.Go(func() error {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("%s: %w", what, err)
			}
			return nil
		})
		return nil
	}
	if m.Config.MetricsAddr != "" {
		if err := serve(m.Config.MetricsAddr, b.MetricsHandler(), "metrics (FOOTNOTE_METRICS_ADDR)"); err != nil {
			return err
		}
	}
	if *httpAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("/interactions", b.HTTPHandler())
		if err := serve(*httpAddr, mux, "interactions endpoint"); err != nil {
			return err
		}
	} else {
		g.Go(func() error { return b.RunGateway(gctx) })
	}
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), stopDeadline)
		defer cancel()
		// Running jobs and in-flight answers get their grace side by side; a job may still
		// announce (REST) while the gateway closes.
		return stopServing(sctx, servers, func(ctx context.Context) error {
			var jobsErr error
			stopped := make(chan struct{})
			go func() {
				defer close(stopped)
				jobsErr = m.Jobs.Stop(ctx, shutdownGrace)
			}()
			err := b.Close(ctx)
			<-stopped
			return errors.Join(err, jobsErr)
		})
	})
	err = g.Wait()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	m.Log.Info("stopped")
	return err
}

// serveWork is what serve's jobs client works: every queue, or (with --no-worker or
// FOOTNOTE_SERVE_WORKER=false) nothing, /reindex still queueing for the workers elsewhere.
func (m *Main) serveWork(noWorker bool) jobs.Work {
	if noWorker || !m.Config.ServeWorker {
		return jobs.WorkNothing
	}
	return jobs.WorkAll
}

// stopServing shuts the HTTP listeners down and closes the bot at the same time: the
// listeners stop taking connections and finish their requests (one that reaches the bot
// now is told to retry) while the bot's grace for the answers in flight runs from the
// signal. One after the other, the grace would start only once the listeners are done,
// which can take 5 s: net/http's Shutdown waits that long for a connection opened but
// unused, and a client that keeps connections ready (as Discord does) has some.
func stopServing(ctx context.Context, servers []*http.Server, closeBot func(context.Context) error) error {
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Go(func() { _ = s.Shutdown(ctx) })
	}
	err := closeBot(ctx)
	wg.Wait()
	return err
}

// cmdConsole routes the slash commands typed in a terminal through the bot's handlers,
// on the embedded defaults: no Discord, no API key.
func (m *Main) cmdConsole(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("console", true)
	if _, err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	b, err := m.newBot(nil) // the console runs /reindex in the reply, as it always has
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		_ = b.Close(cctx)
	}()
	return b.RunConsole(ctx, *coll, m.Stdin, m.Stdout)
}
