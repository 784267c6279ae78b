package bot

import (
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// attachment builds /add file:<attachment> as Discord sends it, the file served by the fake.
func (h *harness) attachment(guild string, m member, name string, size int) (map[string]any, sent) {
	p, s := h.interaction(dg.InteractionApplicationCommand, guild, m, map[string]any{
		"id": "700000000000000002", "name": "add", "type": 1,
		"options": []map[string]any{{"name": "file", "type": int(dg.ApplicationCommandOptionAttachment), "value": "990000000000000001"}},
		"resolved": map[string]any{"attachments": map[string]any{"990000000000000001": map[string]any{
			"id": "990000000000000001", "filename": name, "size": size, "content_type": "text/markdown",
			"url": h.discord.srv.URL + "/files/" + name, "proxy_url": h.discord.srv.URL + "/files/" + name,
		}}},
	})
	return p, s
}

func TestAdd(t *testing.T) {
	newEngine := func() *fakeEngine {
		eng := newFakeEngine()
		eng.web["https://news.example/budget"] = fakePage{title: "Council passes budget", site: "news.example",
			published: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC), text: "The council approved the budget.\n\nParks get more."}
		eng.web["https://mirror.example/budget"] = eng.web["https://news.example/budget"]
		return eng
	}

	t.Run("a link is added and described with title, site, date and passages", func(t *testing.T) {
		h := newHarness(t, newEngine())
		s := h.send(h.slash(guildA, alice, "add", "url", "https://news.example/budget"))
		if cb := h.callback(s); cb.num("type") != int(dg.InteractionResponseDeferredChannelMessageWithSource) {
			t.Errorf("callback %v", cb.Body)
		}
		want := "Added **Council passes budget** (news.example · <t:1714651200:D> · 2 passages)\n<https://news.example/budget>"
		h.edit(s, func(c string) bool { return c == want })
	})

	t.Run("a link added again with new text says it replaced the earlier version", func(t *testing.T) {
		eng := newEngine()
		h := newHarness(t, eng)
		h.edit(h.send(h.slash(guildA, alice, "add", "url", "https://news.example/budget")), nil)
		p := eng.web["https://news.example/budget"]
		p.text += "\n\nThe vote was close."
		eng.web["https://news.example/budget"] = p
		s := h.send(h.slash(guildA, alice, "add", "url", "https://news.example/budget"))
		want := "Replaced the earlier version of **Council passes budget** (news.example · <t:1714651200:D> · 3 passages)\n<https://news.example/budget>"
		h.edit(s, func(c string) bool { return c == want })
	})

	for _, tc := range []struct {
		name, url, want string
	}{
		{"the same text under another link is refused as a duplicate, naming the original", "https://mirror.example/budget",
			"Not added: the same article is already tracked as <https://news.example/budget>."},
		{"a private address is refused", "http://10.0.0.7/admin",
			"Not added: that address points to a private or local network, which footnote never fetches. Use a public link."},
		{"a page too large is refused", "https://huge.example/a",
			"Not added: that page is too large to be an article footnote can track."},
		{"something that is not a link is refused before anything runs", "council budget",
			"That doesn't look like a link to an article. Give a full address starting with https://."},
		{"a link too long to be an address is refused as too long, before anything runs", "https://news.example/" + strings.Repeat("a", 3000),
			"That link is too long to be an article's address (over 2048 characters). Give the article's own link."},
		{"a database outage says to try again, not that the link is wrong", "https://dbdown.example/a",
			"footnote's database is unavailable right now; nothing is wrong with your request. Try again in a minute."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, newEngine())
			h.edit(h.send(h.slash(guildA, alice, "add", "url", "https://news.example/budget")), nil)
			s := h.send(h.slash(guildA, alice, "add", "url", tc.url))
			if got := h.ephemeralError(s); got != tc.want {
				t.Errorf("reply %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("an uploaded file is downloaded through the configured client and added", func(t *testing.T) {
		eng := newEngine()
		h := newHarness(t, eng)
		h.discord.setFile("notes.md", []byte("# Harbour notes\n\nThe bridge closes in June."))
		s := h.send(h.attachment(guildA, alice, "notes.md", 44))
		h.edit(s, func(c string) bool {
			return c == "Added **Harbour notes** (publication date unknown · 2 passages)\n`"+
				retrieval.FileURL("notes.md", []byte("# Harbour notes\n\nThe bridge closes in June."))+"`"
		})
		arts, _, _ := eng.ListArticles(t.Context(), guildA, "", 0, 10)
		if len(arts) != 1 || arts[0].AddedBy != alice.id {
			t.Errorf("stored %+v", arts)
		}
	})

	t.Run("a file over the size limit is refused before it is downloaded", func(t *testing.T) {
		h := newHarness(t, newEngine(), func(c *Config) { c.MaxFileBytes = 1 << 20 })
		h.discord.setFile("big.txt", []byte("x"))
		s := h.send(h.attachment(guildA, alice, "big.txt", 2<<20))
		if got := h.ephemeralError(s); got != "That file is too large: the limit is 1 MB. Upload a smaller file or add the article by its link." {
			t.Errorf("reply %q", got)
		}
		if n := len(h.discord.recorded(func(c call) bool { return strings.HasPrefix(c.Path, "/files/") })); n != 0 {
			t.Errorf("the file was downloaded %d times", n)
		}
	})

	t.Run("a file that turns out larger than Discord said is refused", func(t *testing.T) {
		h := newHarness(t, newEngine(), func(c *Config) { c.MaxFileBytes = 10 })
		h.discord.setFile("liar.txt", []byte(strings.Repeat("x", 100)))
		s := h.send(h.attachment(guildA, alice, "liar.txt", 5))
		if got := h.ephemeralError(s); !strings.HasPrefix(got, "That file is too large") {
			t.Errorf("reply %q", got)
		}
	})

	t.Run("a file of another type is refused", func(t *testing.T) {
		h := newHarness(t, newEngine())
		s := h.send(h.attachment(guildA, alice, "scan.pdf", 100))
		if got := h.ephemeralError(s); got != "footnote can't read that kind of file. Upload a .txt, .md or .html file." {
			t.Errorf("reply %q", got)
		}
	})

	t.Run("a link fetched by the real engine is added", func(t *testing.T) {
		eng, guilds := realEngine(t, 1)
		h := newHarness(t, eng)
		h.discord.setPage("story", `<html><head><title>Library reopens after flood</title></head><body><article>
			<h1>Library reopens after flood</h1><p>The central library reopened on Monday after three months of repairs
			that followed the spring flood. Staff moved forty thousand books back onto the shelves.</p>
			<p>The council paid for new flooring and raised the electrical sockets above the flood line.</p>
			</article></body></html>`)
		s := h.send(h.slash(guilds[0], alice, "add", "url", h.discord.srv.URL+"/web/story"))
		edit := h.edit(s, nil)
		if got := edit.str("content"); !strings.HasPrefix(got, "Added **Library reopens after flood**") {
			t.Errorf("content %q", got)
		}
	})
}

func TestRenderAddedFiles(t *testing.T) {
	other := "file:///aaaaaaaaaaaa/library.md"
	file := func(status string, url string, sameName ...string) *retrieval.AddedArticle {
		return &retrieval.AddedArticle{Article: retrieval.Article{Title: "Library", URL: url}, Passages: 1,
			Status: status, SameName: sameName}
	}
	t.Run("a new file names the tracked file of the same name", func(t *testing.T) {
		got := renderAdded("", file(retrieval.StatusAdded, "file:///bbbbbbbbbbbb/library.md", other))
		if !strings.Contains(got, "The file is new, so it did not replace the other file of the same name: `"+other+"`.") {
			t.Errorf("reply lacks the namesake:\n%s", got)
		}
	})
	t.Run("an unchanged file does not claim to be new", func(t *testing.T) {
		got := renderAdded("", file(retrieval.StatusUnchanged, "file:///bbbbbbbbbbbb/library.md", other))
		if strings.Contains(got, "The file is new") || strings.Contains(got, other) {
			t.Errorf("reply to an unchanged file speaks of namesakes:\n%s", got)
		}
	})
	t.Run("a title cut on the way in is said so", func(t *testing.T) {
		a := file(retrieval.StatusAdded, "file:///bbbbbbbbbbbb/library.md")
		a.Cuts = []retrieval.FieldCut{{Field: "title", Max: 300, Had: 7999}}
		if got := renderAdded("", a); !strings.Contains(got, "\nNote: title cut to 300 characters (it had 7999).") {
			t.Errorf("reply lacks the note:\n%s", got)
		}
	})
	long := "file:///cccccccccccc/" + strings.Repeat("very%20long%20name%20", 25) + ".md"
	t.Run("a long address is shown whole, to copy into /remove", func(t *testing.T) {
		got := renderAdded("", file(retrieval.StatusAdded, long, strings.Replace(long, "cccc", "dddd", 1)))
		for _, u := range []string{long, strings.Replace(long, "cccc", "dddd", 1)} {
			if !strings.Contains(got, "`"+u+"`") {
				t.Errorf("reply lacks the whole address %s:\n%s", u, got)
			}
		}
		if runeLen(got) > maxContent {
			t.Errorf("reply has %d characters, more than %d", runeLen(got), maxContent)
		}
	})
	t.Run("namesakes that do not fit are counted, not cut", func(t *testing.T) {
		longer := "file:///cccccccccccc/" + strings.Repeat("very%20long%20name%20", 40) + ".md"
		names := []string{strings.Replace(longer, "cccc", "dddd", 1), strings.Replace(longer, "cccc", "eeee", 1), strings.Replace(longer, "cccc", "ffff", 1)}
		got := renderAdded("", file(retrieval.StatusAdded, longer, names...))
		if runeLen(got) > maxContent || !strings.Contains(got, "and 2 more") || strings.Contains(got, "…") {
			t.Errorf("reply (%d characters) should show one whole namesake and count the rest:\n%s", runeLen(got), got)
		}
	})
}
