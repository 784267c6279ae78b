package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/oai"
	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

var (
	councilArticle = article{
		URL: "https://news.example/council-budget", Title: "Council passes budget", Site: "news.example",
		Published: "2024-05-02",
		Text: "The city council approved the annual budget on Tuesday by a vote of seven to two. " +
			"The budget raises spending on parks by ten percent and freezes bus fares.\n\n" +
			"Councillor Mara Lind said the parks money would pay for new playgrounds in the east of the city.",
	}
	bridgeArticle = article{
		URL: "https://news.example/harbour-bridge", Title: "Harbour bridge closes for repairs", Site: "news.example",
		Published: "2024-04-20",
		Text: "The harbour bridge will close for six weeks from June for structural repairs. " +
			"Ferries will run every ten minutes while the bridge is shut.",
	}
	rallyArticle = article{
		URL: "https://news.example/rally", Title: "Rally at the town hall", Site: "news.example",
		Published: "2024-03-01",
		Text: "At the rally the organiser shouted @everyone come to the town hall at noon. " +
			"The mayor did not attend the rally on Saturday.",
	}
)

func TestAsk(t *testing.T) {
	t.Run("an ask is deferred at once, then edited with the answer, its sources and buttons", func(t *testing.T) {
		eng := newFakeEngine()
		published := time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC)
		eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
			return &retrieval.Answer{
				Mode: retrieval.ModeExtractive, Covered: true, QuestionID: 41, Took: 20 * time.Millisecond,
				Text: "The council approved the budget on Tuesday [1]. Parks get more money [2].",
				Citations: []retrieval.Citation{
					{N: 1, ChunkID: 11, URL: "https://news.example/budget", Title: "Council passes budget",
						Site: "news.example", Published: published, Quote: "The council approved the budget on Tuesday."},
					{N: 2, ChunkID: 12, URL: "https://news.example/budget", Title: "Council passes budget",
						Site: "news.example", Published: published, Quote: "Parks get 10% more."},
				},
			}, nil
		}
		h := newHarness(t, eng)
		s := h.ask(guildA, alice, "What did the council decide?")

		cb := h.callback(s)
		if cb.num("type") != int(dg.InteractionResponseDeferredChannelMessageWithSource) || cb.data().num("flags") != 0 {
			t.Errorf("callback = %v, want a public deferral (type 5)", cb.Body)
		}
		edit := h.edit(s, nil)
		if got, want := edit.str("content"), "The council approved the budget on Tuesday [1]. Parks get more money [2]."; got != want {
			t.Errorf("content = %q, want %q", got, want)
		}
		// Both quotes are from one article: one embed holds them, as Discord would merge two.
		embeds := edit.embeds()
		if len(embeds) != 1 {
			t.Fatalf("%d embeds, want 1", len(embeds))
		}
		wantEmbed := map[string]any{
			"title": "[1] [2] Council passes budget", "url": "https://news.example/budget",
			"description": "news.example · " + discordDate(time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)) +
				"\n\n> **[1]** The council approved the budget on Tuesday.\n\n> **[2]** Parks get 10% more.",
		}
		if !reflect.DeepEqual(embeds[0], wantEmbed) {
			t.Errorf("embed 1 = %v, want %v", embeds[0], wantEmbed)
		}
		wantRows := [][]string{{"psg:11:1", "psg:12:2"}, {"fb:up:41", "fb:down:41"}}
		if got := edit.components(); !reflect.DeepEqual(got, wantRows) {
			t.Errorf("buttons = %v, want %v", got, wantRows)
		}
		if n := len(h.discord.recorded(followupOf(s.token))); n != 0 {
			t.Errorf("%d follow-ups for a short answer", n)
		}
		if a := eng.lastAsk(); a.coll != guildA || a.question != "What did the council decide?" || a.opts.AskedBy != alice.id {
			t.Errorf("engine asked %+v", a)
		}
	})

	t.Run("the real engine's answer is shown exactly, with every source", func(t *testing.T) {
		eng, guilds := realEngine(t, 1)
		importArticles(t, eng, guilds[0], councilArticle, bridgeArticle)
		h := newHarness(t, eng)
		const q = "When did the council approve the budget?"
		s := h.ask(guilds[0], alice, q)
		edit := h.edit(s, nil)

		want, err := eng.Ask(context.Background(), guilds[0], q, retrieval.AskOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !want.Covered || len(want.Citations) == 0 {
			t.Fatalf("the engine does not answer the test question: %+v", want)
		}
		if got := edit.str("content"); got != want.Text {
			t.Errorf("content = %q, want the engine's answer %q", got, want.Text)
		}
		// Every citation is from the council article: one embed shows them all.
		embeds := edit.embeds()
		if len(embeds) != 1 {
			t.Fatalf("%d embeds for %d citations of one article", len(embeds), len(want.Citations))
		}
		e := embeds[0]
		desc, _ := e["description"].(string)
		var markers []string
		for _, c := range want.Citations {
			markers = append(markers, fmt.Sprintf("[%d]", c.N))
			// A quote the body already gives word for word is not repeated in its embed.
			if shown := strings.Contains(desc, fmt.Sprintf("> **[%d]** %s", c.N, escapeMarkdown(c.Quote))); shown == strings.Contains(want.Text, c.Quote) {
				t.Errorf("quote [%d] shown %v in %q", c.N, shown, desc)
			}
			if !strings.Contains(c.URL, "council-budget") {
				t.Errorf("citation %d is from %s", c.N, c.URL)
			}
		}
		c := want.Citations[0]
		if e["title"] != strings.Join(markers, " ")+" "+c.Title || e["url"] != c.URL ||
			!strings.HasPrefix(desc, "news.example · "+discordDate(c.Published)) {
			t.Errorf("embed = %v, want the citations %+v", e, want.Citations)
		}
		ids := edit.customIDs()
		if got := ids[len(ids)-2]; !strings.HasPrefix(got, "fb:up:") || got == "fb:up:0" {
			t.Errorf("thumbs-up id %q carries no question id", got)
		}
	})

	t.Run("since and source reach the engine as a filter", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng)
		s := h.ask(guildA, alice, "budget?", "since", "2024-05-01", "source", "news.example")
		h.edit(s, nil)
		f := eng.lastAsk().opts.Filter
		if !f.Since.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) || f.Site != "news.example" {
			t.Errorf("filter = %+v", f)
		}
	})

	for _, tc := range []struct {
		name, question, since, want string
	}{
		{"an over-long question is refused before anything is deferred", strings.Repeat("why ", 300), "",
			"That question is too long. Keep it under 1000 characters."},
		{"a malformed date is refused with the format to use", "budget?", "May 1st",
			"Give dates as YYYY-MM-DD, for example since: 2024-05-01."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng := newFakeEngine()
			h := newHarness(t, eng)
			opts := []any{}
			if tc.since != "" {
				opts = append(opts, "since", tc.since)
			}
			s := h.ask(guildA, alice, tc.question, opts...)
			cb := h.callback(s)
			if cb.num("type") != int(dg.InteractionResponseChannelMessageWithSource) {
				t.Fatalf("callback type %d, want an immediate reply (4)", cb.num("type"))
			}
			if got := h.ephemeralError(s); got != tc.want {
				t.Errorf("reply %q, want %q", got, tc.want)
			}
			if eng.askCount() != 0 {
				t.Error("the engine was asked")
			}
		})
	}

	t.Run("a question the articles don't answer lists the closest sources without quotes", func(t *testing.T) {
		eng, guilds := realEngine(t, 1)
		importArticles(t, eng, guilds[0], councilArticle, bridgeArticle)
		h := newHarness(t, eng)
		// "harbour" is the one word it shares with the articles: the closest sources are the
		// passages that share one (the offline embedder's space has no dense arm).
		s := h.ask(guilds[0], alice, "Who won the football cup final at the harbour?")
		edit := h.edit(s, nil)
		if got := edit.str("content"); !strings.HasPrefix(got, "The tracked articles don't answer that.") {
			t.Errorf("content = %q", got)
		}
		for _, e := range edit.embeds() {
			if desc, _ := e["description"].(string); strings.Contains(desc, "\n") || !strings.HasPrefix(desc, "news.example · <t:") {
				t.Errorf("a closest source carries a quote, or no byline: %v", e)
			}
			if title, _ := e["title"].(string); strings.HasPrefix(title, "[") {
				t.Errorf("a closest source is numbered like a citation: %q", title)
			}
		}
	})

	t.Run("an engine failure shows an error id that the log carries too", func(t *testing.T) {
		eng := newFakeEngine()
		eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
			return nil, errors.New("connection refused")
		}
		h := newHarness(t, eng)
		s := h.ask(guildA, alice, "What did the council decide?")
		text := h.ephemeralError(s)
		var id string
		if _, err := fmt.Sscanf(text, "Something went wrong on footnote's side (error id %8s)", &id); err != nil {
			t.Fatalf("reply %q has no error id", text)
		}
		if !strings.Contains(h.logs.String(), "error_id="+id) || !strings.Contains(h.logs.String(), "connection refused") {
			t.Errorf("the log does not carry error id %s:\n%s", id, h.logs)
		}
	})

	t.Run("a failing LLM endpoint still yields a cited extractive answer", func(t *testing.T) {
		llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, `{"error":{"message":"down"}}`, http.StatusInternalServerError)
		}))
		defer llm.Close()
		chat, err := answer.NewChat(answer.ChatConfig{Config: oai.Config{BaseURL: llm.URL + "/v1", MaxRetries: -1}, Model: "m"})
		if err != nil {
			t.Fatal(err)
		}
		eng, guilds := realEngine(t, 1, retrievaltest.WithAnswerer(answer.NewLLM(chat, answer.Extractive{}, nil)))
		guild := guilds[0]
		importArticles(t, eng, guild, councilArticle)
		h := newHarness(t, eng)
		edit := h.edit(h.ask(guild, alice, "When did the council approve the budget?"), nil)
		if len(edit.embeds()) == 0 || !strings.Contains(edit.str("content"), "[1]") {
			t.Fatalf("no cited answer: %v", edit.Body)
		}
		if got := counterValue(h.bot.metrics.answers.WithLabelValues("extractive")); got != 1 {
			t.Errorf("extractive answers = %v, want 1", got)
		}
		if got := counterValue(h.bot.metrics.answers.WithLabelValues("llm")); got != 0 {
			t.Errorf("llm answers = %v, want 0", got)
		}
	})
}

func TestAnswerLimits(t *testing.T) {
	t.Run("a 250 KB answer takes at most three messages and keeps its citations", func(t *testing.T) {
		eng := newFakeEngine()
		cites := []retrieval.Citation{
			{N: 1, ChunkID: 11, URL: "https://news.example/budget", Title: "Council passes budget", Quote: "The council approved the budget."},
			{N: 2, ChunkID: 12, URL: "https://news.example/bridge", Title: "Bridge closes", Quote: "The bridge closes in June."},
		}
		text := strings.Repeat("The council approved the budget [1]. The bridge closes in June [2]. ", 250<<10/68)
		eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
			return &retrieval.Answer{Mode: retrieval.ModeLLM, Covered: true, QuestionID: 9, Text: text, Citations: cites}, nil
		}
		h := newHarness(t, eng)
		msgs := answerMessages(h, h.ask(guildA, alice, "What happened?"))
		if len(msgs) > maxAnswerMessages {
			t.Errorf("%d messages, want at most %d", len(msgs), maxAnswerMessages)
		}
		var titles []string
		for _, m := range msgs {
			for _, e := range m.embeds() {
				titles = append(titles, e["title"].(string))
			}
		}
		if fmt.Sprint(titles) != "[[1] Council passes budget [2] Bridge closes]" {
			t.Errorf("sources %q, want both citations", titles)
		}
		if c := msgs[len(msgs)-1].str("content"); !strings.HasSuffix(c, " …") {
			t.Errorf("the body's last part ends %q, want a visible cut", c[max(0, len(c)-30):])
		}
	})

	t.Run("a 250 KB model reply through the real engine makes a short answer that keeps its citation", func(t *testing.T) {
		reply := strings.Repeat("The city council approved the annual budget on Tuesday [1]. ", 250<<10/60)
		srv := oaitest.New(t, oaitest.Reply{Content: reply})
		chat, err := answer.NewChat(answer.ChatConfig{Config: oai.Config{BaseURL: srv.URL}, Model: "m"})
		if err != nil {
			t.Fatal(err)
		}
		eng, guilds := realEngine(t, 1, retrievaltest.WithAnswerer(answer.NewLLM(chat, answer.Extractive{}, nil)))
		importArticles(t, eng, guilds[0], councilArticle, bridgeArticle)
		h := newHarness(t, eng)
		s := h.ask(guilds[0], alice, "When did the council approve the budget?")
		msgs := answerMessages(h, s)
		first := msgs[0]
		if len(msgs) > maxAnswerMessages || len(first.embeds()) != 1 || !strings.Contains(first.str("content"), "[1]") {
			t.Fatalf("%d messages, the first with %d embeds: %v", len(msgs), len(first.embeds()), first.Body)
		}
		if got := counterValue(h.bot.metrics.answers.WithLabelValues("llm")); got != 1 {
			t.Errorf("llm answers = %v, want 1", got)
		}
	})

	t.Run("a 30-citation answer fits every Discord limit and keeps every source in order", func(t *testing.T) {
		eng := newFakeEngine()
		var body []string
		var cites []retrieval.Citation
		for n := 1; n <= 30; n++ {
			body = append(body, fmt.Sprintf("Point %d is made at length here, %s [%d].", n, strings.Repeat("and so on ", 25), n))
			if n%4 == 0 {
				body = append(body, "\n\n")
			}
			cites = append(cites, retrieval.Citation{N: n, ChunkID: int64(1000 + n), URL: fmt.Sprintf("https://news.example/%d", n),
				Title: strings.Repeat("Long title ", 30), Site: "news.example", Published: time.Date(2024, 1, n%28+1, 0, 0, 0, 0, time.UTC),
				Quote: strings.Repeat(fmt.Sprintf("Quote %d says something. ", n), 60)})
		}
		text := strings.Join(body, " ")
		eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
			return &retrieval.Answer{Mode: retrieval.ModeLLM, Covered: true, QuestionID: 7, Text: text, Citations: cites}, nil
		}
		h := newHarness(t, eng)
		s := h.ask(guildA, alice, "Tell me everything")
		first := h.edit(s, nil)
		msgs := []call{first}
		// Wait for the follow-ups until all 30 sources have arrived.
		deadline := time.Now().Add(10 * time.Second)
		for count(msgs) < 30 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
			msgs = append([]call{first}, h.discord.recorded(followupOf(s.token))...)
		}
		var content []string
		var titles []string
		for _, m := range msgs {
			checkLimits(t, "answer part", m)
			if c := m.str("content"); c != "" {
				content = append(content, c)
			}
			for _, e := range m.embeds() {
				titles = append(titles, e["title"].(string))
			}
			if m.num("flags") != 0 {
				t.Errorf("a part of a public answer is ephemeral")
			}
		}
		if len(titles) != 30 {
			t.Fatalf("%d sources arrived, want 30", len(titles))
		}
		for i, title := range titles {
			if !strings.HasPrefix(title, fmt.Sprintf("[%d] ", i+1)) {
				t.Errorf("source %d is titled %q", i+1, title)
			}
		}
		// 30 long sources need more than maxAnswerMessages on their own: the body keeps its
		// first message, cut visibly, and no source is dropped.
		got := strings.Join(strings.Fields(strings.Join(content, " ")), " ")
		if !strings.HasSuffix(got, " …") || !strings.HasPrefix(strings.Join(strings.Fields(text), " "), strings.TrimSuffix(got, " …")) {
			t.Errorf("the body is not the text's beginning, cut with …:\n got %q", got)
		}
		last := msgs[len(msgs)-1].customIDs()
		if got := last[len(last)-2:]; !reflect.DeepEqual(got, []string{"fb:up:7", "fb:down:7"}) {
			t.Errorf("the last part ends with %v, want the thumbs", got)
		}
	})

	t.Run("an article quoting @everyone is quoted without pinging anyone", func(t *testing.T) {
		eng, guilds := realEngine(t, 1)
		importArticles(t, eng, guilds[0], rallyArticle, councilArticle)
		h := newHarness(t, eng)
		s := h.ask(guilds[0], alice, "What did the organiser shout at the rally? @everyone")
		edit := h.edit(s, nil)
		found := strings.Contains(edit.str("content"), "@everyone")
		for _, e := range edit.embeds() {
			if d, _ := e["description"].(string); strings.Contains(d, "@everyone") {
				found = true
			}
		}
		if !found {
			t.Fatalf("no quote with @everyone: %v", edit.Body)
		}
		checkLimits(t, "answer", edit) // asserts allowed_mentions.parse == []
	})
}

// answerMessages waits for the message carrying the thumbs, the last of an answer to a
// recorded question, and returns the answer's messages in order.
func answerMessages(h *harness, s sent) []call {
	h.t.Helper()
	h.discord.waitFor(h.t, "the answer's last message", 1, func(c call) bool {
		return (editOf(s.token)(c) || followupOf(s.token)(c)) &&
			slices.ContainsFunc(c.customIDs(), func(id string) bool { return strings.HasPrefix(id, "fb:up:") })
	})
	return h.discord.recorded(func(c call) bool { return editOf(s.token)(c) || followupOf(s.token)(c) })
}

func count(msgs []call) int {
	n := 0
	for _, m := range msgs {
		n += len(m.embeds())
	}
	return n
}
