package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/footnote-bot/footnote/bot"
)

// stopDeadline bounds the whole of serve's shutdown, which shares one context: the HTTP
// listeners stop (their in-flight requests finish) while the bot's Close spends up to
// shutdownGrace letting answers finish, then cancels the rest, tells their members to
// retry and closes the Discord session. The 5 s beyond the grace cover those notices and
// the session's close, so this outer deadline never cuts the bot's own grace short.
const stopDeadline = shutdownGrace + 5*time.Second

func (m *Main) newBot() (*bot.Bot, error) {
	c := m.Config
	return bot.New(bot.Config{
		Token: c.DiscordToken, AppID: c.DiscordAppID, PublicKey: c.DiscordPublicKey,
		APIBase: c.DiscordAPIBase, AdminRole: c.AdminRole, DevGuild: c.DevGuild,
		ShardID: c.ShardID, ShardCount: c.ShardCount, ShutdownGrace: shutdownGrace,
		RatePerMinute: c.RatePerMinute, GuildConcurrency: c.GuildConcurrency, Workers: c.Workers,
		MaxQuestionLen: c.MaxQuestionChars, GuildGrace: c.GuildGrace,
	}, m.Engine, m.Log, newRegistry())
}

// newRegistry returns the registry served at FOOTNOTE_METRICS_ADDR: the bot's series, and
// the Go runtime's and the process's (go_goroutines, go_memstats_*,
// process_resident_memory_bytes, process_open_fds), which show a leak of goroutines,
// memory or connections over a long run.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// cmdServe runs the Discord bot: over the gateway (DISCORD_TOKEN), or as an HTTP
// interactions endpoint with --http ADDR (DISCORD_PUBLIC_KEY). It returns when ctx is
// cancelled (SIGINT, SIGTERM), after shutting down in reverse order of start: the HTTP
// listeners stop taking requests, in-flight answers finish (bounded), the Discord session
// closes, then the database pool.
func (m *Main) cmdServe(ctx context.Context, args []string) error {
	fs, _ := m.newFlags("serve", false)
	httpAddr := fs.String("http", "", "serve Discord HTTP interactions at POST /interactions on this address")
	if _, err := m.parseFlags(fs, args); err != nil {
		return err
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
	b, err := m.newBot()
	if err != nil {
		return err
	}
	b.RegisterOnStart(ctx) // shard 0 only; a failure is logged, not fatal

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return m.sweepDepartures(gctx) })
	var servers []*http.Server
	serve := func(addr string, h http.Handler, what string) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("%s: listen on %s: %w", what, addr, err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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
		return stopServing(sctx, servers, b.Close)
	})
	err = g.Wait()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	m.Log.Info("stopped")
	return err
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
	b, err := m.newBot()
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
