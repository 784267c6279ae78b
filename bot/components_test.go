package bot

import (
	"reflect"
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestButtons(t *testing.T) {
	t.Run("the passage button shows the full passage to the clicker only", func(t *testing.T) {
		eng, guilds := realEngine(t, 1)
		importArticles(t, eng, guilds[0], councilArticle, bridgeArticle)
		h := newHarness(t, eng)
		answer := h.edit(h.ask(guilds[0], alice, "When did the council approve the budget?"), nil)
		id := answer.customIDs()[0]
		if !strings.HasPrefix(id, "psg:") {
			t.Fatalf("first button %q is not a passage button", id)
		}
		s := h.send(h.click(guilds[0], bob, id))
		cb := h.callback(s)
		if cb.num("type") != int(dg.InteractionResponseDeferredChannelMessageWithSource) ||
			cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("callback %v, want an ephemeral deferral", cb.Body)
		}
		edit := h.edit(s, nil)
		if got := edit.str("content"); got != "Passage 1 in full:" {
			t.Errorf("content %q", got)
		}
		e := edit.embeds()
		if len(e) != 1 || e[0]["title"] != "Council passes budget" || e[0]["url"] != councilArticle.URL {
			t.Fatalf("embeds %v", e)
		}
		desc, _ := e[0]["description"].(string)
		desc, ok := strings.CutPrefix(desc, "news.example · "+discordDate(time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC))+"\n\n")
		if !ok || !strings.Contains(councilArticle.Text, desc) || !strings.Contains(desc, "approved the annual budget") {
			t.Errorf("passage %q is not the article's text", desc)
		}
	})

	t.Run("thumbs up is stored against the question", func(t *testing.T) {
		eng := newFakeEngine()
		eng.add(guildA, retrieval.Article{URL: "https://news.example/a", Title: "A", Text: "The budget passed on Tuesday."})
		h := newHarness(t, eng)
		ids := h.edit(h.ask(guildA, alice, "When did the budget pass?"), nil).customIDs()
		up := ids[len(ids)-2]
		s := h.send(h.click(guildA, bob, up))
		if cb := h.callback(s); cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("callback %v, want ephemeral", cb.Body)
		}
		h.edit(s, func(c string) bool { return c == "Thanks! footnote noted that this answer helped." })
		want := []retrieval.Feedback{{Collection: guildA, QuestionID: 1, User: bob.id, Helpful: true}}
		if got := eng.feedbacks(); !reflect.DeepEqual(got, want) {
			t.Errorf("feedback %+v, want %+v", got, want)
		}
	})

	t.Run("a button with a mangled id is refused as out of date", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		s := h.send(h.click(guildA, bob, "psg:notanumber:1"))
		if got := h.ephemeralError(s); got != "That button is out of date. Run the command again." {
			t.Errorf("reply %q", got)
		}
	})
}
