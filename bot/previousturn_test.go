package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestFollowUpCarriesTheWholePlainAnswer(t *testing.T) {
	long := strings.Repeat("The council met again. ", 100) // 2,300 characters: two messages
	body := "The *budget* [passed] on Tuesday [1]. " + long + "Parks get more [2]."
	quote := "Parks get 10% *more* [sic] > expected."
	var mu sync.Mutex
	next := []func() (*retrieval.Answer, error){}
	eng := newFakeEngine()
	eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
		mu.Lock()
		defer mu.Unlock()
		f := next[0]
		next = next[1:]
		return f()
	}
	answers := func(fs ...func() (*retrieval.Answer, error)) {
		mu.Lock()
		defer mu.Unlock()
		next = append(next, fs...)
	}
	covered := func() (*retrieval.Answer, error) {
		published := time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC)
		return &retrieval.Answer{Covered: true, Text: body, Citations: []retrieval.Citation{
			{N: 1, ChunkID: 11, URL: "https://news.example/budget", Title: "Budget [draft]", Site: "news.example",
				Published: published, Quote: "The *budget* [passed] on Tuesday."},
			{N: 2, ChunkID: 12, URL: "https://news.example/parks", Title: "Parks", Site: "news.example",
				Published: published, Quote: quote},
		}}, nil
	}
	notCoveredAnswer := func() (*retrieval.Answer, error) {
		return &retrieval.Answer{Covered: false, Closest: []retrieval.Result{{ChunkID: 13, URL: "https://news.example/x",
			Title: "Budget talk", Site: "news.example", Published: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)}}}, nil
	}
	failing := func() (*retrieval.Answer, error) { return nil, errors.New("engine down") }
	plain := func() (*retrieval.Answer, error) { return &retrieval.Answer{Covered: true, Text: "ok"}, nil }

	h, gw := startGateway(t, eng)
	// turn opens a thread with a mention, then asks a follow-up in it, and returns the
	// previous answer the follow-up was asked with.
	done := 0
	turn := func(t *testing.T, id string) string {
		t.Helper()
		gw.dispatch("MESSAGE_CREATE", mentionOf(h, id, channel, "What did the council decide about the budget?"))
		done++
		waitRequests(t, h, done) // the whole answer is sent
		follow := map[string]any{
			"id": id[:len(id)-1] + "9", "channel_id": id, "guild_id": guildA, "type": 0,
			"author": map[string]any{"id": alice.id, "username": "alice"}, "content": "And the parks?", "mentions": []any{},
		}
		before := len(h.discord.recorded(channelPost(id)))
		h.discord.addHistory(id, follow)
		gw.dispatch("MESSAGE_CREATE", follow)
		h.discord.waitFor(t, "the follow-up's answer", before+1, channelPost(id))
		done++
		return eng.lastAsk().opts.PreviousAnswer
	}

	t.Run("every part of a grouped answer, unescaped, without markers, dates or bylines", func(t *testing.T) {
		answers(covered, plain)
		got := turn(t, "510000000000000301")
		want := strings.Join(strings.Fields("The *budget* [passed] on Tuesday . "+long+"Parks get more ."), " ") +
			" The *budget* [passed] on Tuesday. " + quote
		if got != want {
			t.Errorf("previous answer\n got %q\nwant %q", got, want)
		}
	})
	t.Run("a not-covered answer is not carried", func(t *testing.T) {
		answers(notCoveredAnswer, plain)
		if got := turn(t, "510000000000000311"); got != "" {
			t.Errorf("previous answer %q", got)
		}
	})
	t.Run("an error is not carried", func(t *testing.T) {
		answers(failing, plain)
		if got := turn(t, "510000000000000321"); got != "" {
			t.Errorf("previous answer %q", got)
		}
	})
}

// waitRequests waits until the bot has logged n finished requests.
func waitRequests(t *testing.T, h *harness, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(h.logs.String(), `msg="request done"`) < n {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d requests done", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
