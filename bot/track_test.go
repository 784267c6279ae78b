package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// annChannel is where the tests announce feed articles.
const annChannel = "300000000000000077"

// newFeedServer serves an RSS feed of n articles at /feed.xml, their pages at /a<i>, and
// an HTML page that is not a feed at /page.
func newFeedServer(t *testing.T, n int) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		var items strings.Builder
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&items, `<item><title>Council *vote* %d</title><link>%s/a%d</link>
				<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>`, i, srv.URL, i)
		}
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Town Gazette</title>
			<link>%s</link>%s</channel></rss>`, srv.URL, items.String())
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><title>Home</title></head><body><p>Nothing to follow here.</p></body></html>`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		para := fmt.Sprintf(`<p>The town council voted on the budget for the harbour in article %s. The mayor said the
			harbour repairs would begin in spring and cost four million over three years.</p>`, r.URL.Path)
		fmt.Fprintf(w, `<html><head><title>Council vote %s</title></head><body><article><h1>Council vote %s</h1>%s</article></body></html>`,
			r.URL.Path, r.URL.Path, strings.Repeat(para, 6))
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// track sends /track with the channel option typed as Discord types it (a channel id).
func (h *harness) track(guild string, m member, link, ch string) sent {
	opts := []map[string]any{{"name": "feed", "value": link, "type": int(dg.ApplicationCommandOptionString)}}
	if ch != "" {
		opts = append(opts, map[string]any{"name": "channel", "value": ch, "type": int(dg.ApplicationCommandOptionChannel)})
	}
	return h.send(h.interaction(dg.InteractionApplicationCommand, guild, m,
		map[string]any{"id": "700000000000000001", "name": "track", "type": 1, "options": opts}))
}

func postedIn(ch string) func(call) bool {
	return func(c call) bool { return c.Method == http.MethodPost && c.Path == "/channels/"+ch+"/messages" }
}

func TestTrackFeedsUntrack(t *testing.T) {
	eng, guilds := realEngine(t, 1)
	g := guilds[0]
	site := newFeedServer(t, 3)
	h := newHarness(t, eng)
	h.discord.placeChannel(annChannel, g)

	s := h.track(g, boss, site.URL+"/feed.xml", annChannel)
	reply := h.edit(s, func(c string) bool { return strings.Contains(c, "Following") }).str("content")
	if !strings.Contains(reply, "Town Gazette") || !strings.Contains(reply, "3 new articles") {
		t.Errorf("/track reply %q", reply)
	}
	if cb := h.callback(s); cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
		t.Errorf("/track is not ephemeral: %v", cb.Body)
	}
	posts := h.discord.waitFor(t, "announcement", 1, postedIn(annChannel))
	text := posts[0].str("content")
	for _, want := range []string{`Council \*vote\* 1`, "Town Gazette", "<t:", site.URL + "/a3>"} {
		if !strings.Contains(text, want) {
			t.Errorf("announcement %q lacks %q", text, want)
		}
	}
	if am, _ := posts[0].Body["allowed_mentions"].(map[string]any); am == nil || len(am["parse"].([]any)) != 0 {
		t.Errorf("announcement allowed_mentions %v, want an empty parse list", posts[0].Body["allowed_mentions"])
	}
	if _, n, _ := eng.ListArticles(context.Background(), g, "", 0, 10); n != 3 {
		t.Errorf("%d articles after /track, want 3", n)
	}

	s = h.send(h.slash(g, alice, "feeds"))
	list := h.edit(s, nil).str("content")
	for _, want := range []string{"Town Gazette", site.URL + "/feed.xml", "3 articles", "next poll <t:", "<#" + annChannel + ">"} {
		if !strings.Contains(list, want) {
			t.Errorf("/feeds %q lacks %q", list, want)
		}
	}

	cb := h.callback(h.send(h.autocompleteOf(g, boss, "untrack", "feed", "gazette")))
	if ch := cb.choices(); len(ch) != 1 || ch[0][1] != site.URL+"/feed.xml" {
		t.Errorf("untrack choices %v", ch)
	}

	s = h.send(h.slash(g, boss, "untrack", "feed", site.URL+"/feed.xml"))
	if got := h.edit(s, nil).str("content"); !strings.Contains(got, "No longer following") {
		t.Errorf("/untrack reply %q", got)
	}
	if feeds, _ := eng.Feeds(context.Background(), g); len(feeds) != 0 {
		t.Errorf("feeds after /untrack: %+v", feeds)
	}
	if _, n, _ := eng.ListArticles(context.Background(), g, "", 0, 10); n != 3 {
		t.Errorf("%d articles after /untrack, want the 3 kept", n)
	}
	if got := h.ephemeralError(h.send(h.slash(g, boss, "untrack", "feed", site.URL+"/feed.xml"))); !strings.Contains(got, "doesn't follow") {
		t.Errorf("second /untrack: %q", got)
	}
}

func TestTrackRefusals(t *testing.T) {
	eng, guilds := realEngine(t, 1)
	g := guilds[0]
	site := newFeedServer(t, 1)
	h := newHarness(t, eng, func(c *Config) { c.AppID = "400000000000000001" }) // the fake's bot user
	h.discord.placeChannel(annChannel, g)

	t.Run("a page that is not a feed is a one-line error", func(t *testing.T) {
		got := h.ephemeralError(h.track(g, boss, site.URL+"/page", ""))
		if !strings.Contains(got, "not a feed") || strings.Contains(got, "\n") {
			t.Errorf("error %q", got)
		}
	})
	t.Run("a bad URL is a one-line error", func(t *testing.T) {
		got := h.ephemeralError(h.track(g, boss, "not a link", ""))
		if !strings.Contains(got, "https://") || strings.Contains(got, "\n") {
			t.Errorf("error %q", got)
		}
	})
	t.Run("footnote missing Send Messages in the channel is named, and nothing is tracked", func(t *testing.T) {
		h.discord.deny(annChannel, dg.PermissionSendMessages)
		got := h.ephemeralError(h.track(g, boss, site.URL+"/feed.xml", annChannel))
		if !strings.Contains(got, "Send Messages") {
			t.Errorf("error %q", got)
		}
		if feeds, _ := eng.Feeds(context.Background(), g); len(feeds) != 0 {
			t.Errorf("tracked anyway: %+v", feeds)
		}
	})
	t.Run("a channel of another server is a one-line error, and nothing is tracked", func(t *testing.T) {
		const foreign = "300000000000000066"
		h.discord.placeChannel(foreign, "200000000000000999")
		got := h.ephemeralError(h.track(g, boss, site.URL+"/feed.xml", foreign))
		if !strings.Contains(got, "this server") || strings.Contains(got, "\n") {
			t.Errorf("error %q", got)
		}
		if feeds, _ := eng.Feeds(context.Background(), g); len(feeds) != 0 {
			t.Errorf("tracked anyway: %+v", feeds)
		}
	})
	t.Run("a member is refused when members may not add", func(t *testing.T) {
		no := false
		if _, err := eng.UpdateGuildSettings(context.Background(), g, retrieval.SettingsUpdate{MembersAdd: &no}); err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, eng) // settings are cached per bot: a new one reads them
		got := h.ephemeralError(h.track(g, alice, site.URL+"/feed.xml", ""))
		if !strings.Contains(got, "Only admins") {
			t.Errorf("error %q", got)
		}
		if feeds, _ := eng.Feeds(context.Background(), g); len(feeds) != 0 {
			t.Errorf("tracked anyway: %+v", feeds)
		}
	})
}

func TestConsoleTrack(t *testing.T) {
	eng, guilds := realEngine(t, 1)
	site := newFeedServer(t, 2)
	h := newHarness(t, eng)
	in := strings.NewReader(strings.Join([]string{
		"/track " + site.URL + "/feed.xml every:2h",
		"/feeds",
		"/untrack " + site.URL + "/feed.xml",
		"/feeds",
	}, "\n"))
	var out strings.Builder
	if err := h.bot.RunConsole(context.Background(), guilds[0], in, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Following Town Gazette, every 2h: 2 new articles.", "2 articles · every 2h",
		"No longer following", "This server follows no feeds."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("console output lacks %q:\n%s", want, out.String())
		}
	}
}

// An announcement answers no member, so footnote's own words in it are in the server's
// preferred language: here the line that counts the articles not announced.
func TestAnnouncementsAreInTheServersLanguage(t *testing.T) {
	h, _ := startGatewayOn(t, newFakeEngine(), func(gw *fakeGateway) { gw.guilds[0]["preferred_locale"] = "de" })
	h.discord.placeChannel(annChannel, guildA)
	// The server's GUILD_CREATE follows READY: wait until the state has it.
	for deadline := time.Now().Add(10 * time.Second); h.bot.guildLang(guildA) != "de"; {
		if time.Now().After(deadline) {
			t.Fatal("the gateway's state never learnt the server's language")
		}
		time.Sleep(10 * time.Millisecond) // polling for a condition, not waiting for nothing
	}
	p := retrieval.FeedPoll{Feed: retrieval.Feed{Collection: guildA, Channel: annChannel, Title: "Gazette"}}
	for i := range maxAnnouncedPerPoll + 3 {
		p.Items = append(p.Items, retrieval.FeedItem{URL: fmt.Sprintf("https://gazette.example/%d", i), Title: fmt.Sprint("Story ", i), Status: retrieval.StatusAdded})
	}
	n, _, err := h.bot.AnnounceFeedPoll(context.Background(), p)
	if err != nil || n != maxAnnouncedPerPoll {
		t.Fatalf("AnnounceFeedPoll = %d, %v; want %d announced", n, err, maxAnnouncedPerPoll)
	}
	posts := h.discord.waitFor(t, "announcements", (maxAnnouncedPerPoll+announcePerMessage-1)/announcePerMessage, postedIn(annChannel))
	if last := posts[len(posts)-1].str("content"); !strings.HasSuffix(last, "\n…und 3 weitere; /artikel listet sie auf.") {
		t.Errorf("last announcement %q, want the German count of the rest", last)
	}
	// A server the state does not know (a worker without a gateway) is asked over REST,
	// once an hour.
	p.Feed.Collection = guildB
	h.discord.placeChannel(annChannel, guildB)
	h.discord.setLocale(guildB, "fr")
	for range 2 {
		if _, _, err := h.bot.AnnounceFeedPoll(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		n := len(posts)
		posts = h.discord.waitFor(t, "announcements", n+3, postedIn(annChannel))
		if last := posts[len(posts)-1].str("content"); !strings.HasSuffix(last, "\n…et 3 autres ; /articles les liste.") {
			t.Errorf("last announcement %q, want the French count of the rest", last)
		}
	}
	asked := h.discord.recorded(func(c call) bool { return c.Method == http.MethodGet && c.Path == "/guilds/"+guildB })
	if len(asked) != 1 {
		t.Errorf("the server's language was asked %d times; want once (then kept)", len(asked))
	}
	// When Discord cannot say, English.
	const guildC = "200000000000000003"
	p.Feed.Collection = guildC
	h.discord.failNext(restRetries+1, func(c call) bool { return c.Path == "/guilds/"+guildC },
		fault{status: http.StatusServiceUnavailable, body: `{"message": "upstream down"}`})
	if _, _, err := h.bot.AnnounceFeedPoll(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	posts = h.discord.waitFor(t, "announcements", len(posts)+3, postedIn(annChannel))
	if last := posts[len(posts)-1].str("content"); !strings.HasSuffix(last, "\n…and 3 more; /articles lists them.") {
		t.Errorf("last announcement %q, want English", last)
	}
}

// When Discord fails an announcement, AnnounceFeedPoll says how many went out and whether
// the rest may go later: a 5xx may pass, a refusal (403: footnote may not post there) will
// not. A message Discord made but whose answer was lost (a 500 after the post) is sent
// again under the same enforced nonce, and is not posted twice.
func TestAnAnnouncementDiscordFailsSaysWhatWentAndWhetherToRetry(t *testing.T) {
	h := newHarness(t, newFakeEngine())
	h.discord.placeChannel(annChannel, guildA)
	p := retrieval.FeedPoll{Feed: retrieval.Feed{ID: 7, Collection: guildA, Channel: annChannel, Title: "Gazette"}}
	for i := range 2*announcePerMessage + 2 {
		p.Items = append(p.Items, retrieval.FeedItem{URL: fmt.Sprintf("https://gazette.example/%d", i), Title: fmt.Sprint("Story ", i), Status: retrieval.StatusAdded})
	}
	ctx := context.Background()
	// The first message goes; the second meets a 503 each time: restRetry's retries (about
	// 2 s) run out.
	h.discord.failNext(restRetries+1, func(c call) bool {
		return postedIn(annChannel)(c) && strings.HasPrefix(c.str("content"), fmt.Sprintf("📰 **Story %d**", announcePerMessage))
	}, fault{status: http.StatusServiceUnavailable, body: `{"message": "upstream down"}`})
	n, retry, err := h.bot.AnnounceFeedPoll(ctx, p)
	if err == nil || n != announcePerMessage || !retry {
		t.Fatalf("announcement meeting a 503 = %d, %v, %v; want %d announced, retry, an error", n, retry, err, announcePerMessage)
	}
	rest := p
	rest.Items = p.Items[n:]
	// Discord makes the rest's first message but its answer is lost (a 500, which
	// restRetry does not retry for a POST): the next try sends it again, and the nonce
	// returns the message made.
	h.discord.mu.Lock()
	h.discord.lostPosts = 1
	h.discord.mu.Unlock()
	n, retry, err = h.bot.AnnounceFeedPoll(ctx, rest)
	if err == nil || n != 0 || !retry {
		t.Fatalf("the rest, its answer lost = %d, %v, %v; want 0 announced, retry, an error", n, retry, err)
	}
	n, retry, err = h.bot.AnnounceFeedPoll(ctx, rest)
	if err != nil || n != announcePerMessage+2 || retry {
		t.Fatalf("the rest = %d, %v, %v; want %d announced", n, retry, err, announcePerMessage+2)
	}
	h.discord.mu.Lock()
	var made []string
	for _, m := range h.discord.history[annChannel] {
		made = append(made, m["content"].(string))
	}
	h.discord.mu.Unlock()
	if len(made) != 3 || !strings.HasPrefix(made[1], fmt.Sprintf("📰 **Story %d**", announcePerMessage)) ||
		!strings.HasPrefix(made[2], fmt.Sprintf("📰 **Story %d**", 2*announcePerMessage)) {
		t.Errorf("messages in the channel:\n%s\nwant three, each article once", strings.Join(made, "\n---\n"))
	}
	posts := h.discord.recorded(postedIn(annChannel))
	nonces := map[string]int{}
	for _, c := range posts {
		if c.Body["enforce_nonce"] != true || len(c.str("nonce")) == 0 || len(c.str("nonce")) > 25 {
			t.Errorf("announcement sent without an enforced nonce of at most 25 characters: %v", c.Body)
		}
		nonces[c.str("nonce")]++
	}
	if len(nonces) != 3 {
		t.Errorf("%d nonces over %d posts; want one per message, the same at every try", len(nonces), len(posts))
	}
	h.discord.failNext(1, postedIn(annChannel), fault{status: http.StatusForbidden, body: `{"message": "Missing Permissions", "code": 50013}`})
	if n, retry, err := h.bot.AnnounceFeedPoll(ctx, p); err == nil || n != 0 || retry {
		t.Errorf("announcement meeting a 403 = %d, %v, %v; want an error that is not retried", n, retry, err)
	}
}

// announceQueue records the announce_feed jobs the bot queues.
type announceQueue struct {
	mu    sync.Mutex
	feeds []int64
}

func (q *announceQueue) QueueAnnounce(_ context.Context, _ string, id int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.feeds = append(q.feeds, id)
	return nil
}

// /track's own announcement, when Discord fails it in a way that may pass, is kept in the
// database (retrieval.Engine.AnnounceFeed) and queued to be tried again; the reply says
// so, and the next try posts it.
func TestTracksAnnouncementDiscordFailedIsTriedAgain(t *testing.T) {
	eng, guilds := realEngine(t, 1)
	g := guilds[0]
	site := newFeedServer(t, 2)
	q := &announceQueue{}
	h := newHarness(t, eng, func(c *Config) { c.Announcements = q })
	h.discord.placeChannel(annChannel, g)
	h.discord.failNext(restRetries+1, postedIn(annChannel), fault{status: http.StatusBadGateway, body: `{"message": "bad gateway"}`})

	s := h.track(g, boss, site.URL+"/feed.xml", annChannel)
	reply := h.edit(s, func(c string) bool { return strings.Contains(c, "Following") }).str("content")
	if !strings.Contains(reply, "could not announce them in <#"+annChannel+"> yet; it will try again") {
		t.Errorf("/track reply %q; want it to say the announcement will be tried again", reply)
	}
	ctx := context.Background()
	feeds, err := eng.Feeds(ctx, g)
	if err != nil || len(feeds) != 1 {
		t.Fatalf("feeds %+v, %v", feeds, err)
	}
	id := feeds[0].ID
	q.mu.Lock()
	queued := slices.Clone(q.feeds)
	q.mu.Unlock()
	if !slices.Equal(queued, []int64{id}) {
		t.Errorf("queued announce jobs for %v; want one for feed %d", queued, id)
	}
	if n, err := eng.PendingAnnouncements(ctx, g, id); err != nil || n != 2 {
		t.Errorf("%d articles wait to be announced (%v); want the 2 /track added", n, err)
	}
	if list := h.edit(h.send(h.slash(g, alice, "feeds")), nil).str("content"); !strings.Contains(list, "2 articles waiting to be announced") {
		t.Errorf("/feeds %q; want it to say 2 articles wait to be announced", list)
	}
	// The job's try: Discord is back.
	n, _, err := eng.AnnounceFeed(ctx, g, id, h.bot.AnnounceFeedPoll)
	if err != nil || n != 2 {
		t.Fatalf("AnnounceFeed = %d, %v; want 2 announced", n, err)
	}
	posts := h.discord.waitFor(t, "the announcement", restRetries+2, postedIn(annChannel))
	if last := posts[len(posts)-1].str("content"); !strings.Contains(last, `Council \*vote\* 1`) || !strings.Contains(last, `Council \*vote\* 2`) {
		t.Errorf("announcement %q; want both articles", last)
	}
	if n, err := eng.PendingAnnouncements(ctx, g, id); err != nil || n != 0 {
		t.Errorf("%d articles still wait (%v); want none", n, err)
	}
	if n, _, err := eng.AnnounceFeed(ctx, g, id, h.bot.AnnounceFeedPoll); err != nil || n != 0 {
		t.Errorf("another try = %d, %v; want nothing left to announce", n, err)
	}
}
