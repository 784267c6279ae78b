package bot

import (
	"reflect"
	"testing"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestReasonModal(t *testing.T) {
	answered := func(t *testing.T) (*harness, *fakeEngine, string) {
		eng := newFakeEngine()
		eng.add(guildA, retrieval.Article{URL: "https://news.example/a", Title: "A", Text: "The budget passed on Tuesday."})
		h := newHarness(t, eng)
		ids := h.edit(h.ask(guildA, alice, "When did the budget pass?"), nil).customIDs()
		return h, eng, ids[len(ids)-1]
	}

	t.Run("thumbs down opens a form with the reason and a free-text box", func(t *testing.T) {
		h, eng, down := answered(t)
		if down != "fb:down:1" {
			t.Fatalf("last button %q", down)
		}
		cb := h.callback(h.send(h.click(guildA, bob, down)))
		if cb.num("type") != int(dg.InteractionResponseModal) {
			t.Fatalf("callback %v, want a modal (type 9)", cb.Body)
		}
		form := cb.data()
		if form.str("custom_id") != "fbm:1" || form.str("title") == "" {
			t.Errorf("form %v", form.Body)
		}
		if got := form.customIDs(); !reflect.DeepEqual(got, []string{reasonInputID, commentInputID}) {
			t.Errorf("inputs %v", got)
		}
		if n := len(eng.feedbacks()); n != 0 {
			t.Errorf("%d feedback stored before the form was sent", n)
		}
	})

	t.Run("the submitted form stores the reason and the comment, and thanks ephemerally", func(t *testing.T) {
		h, eng, _ := answered(t)
		s := h.send(h.modalSubmit(guildA, bob, "fbm:1", map[string]string{reasonInputID: "Outdated",
			commentInputID: "The vote moved to Friday."}))
		if cb := h.callback(s); cb.num("type") != int(dg.InteractionResponseDeferredChannelMessageWithSource) ||
			cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("callback %v, want an ephemeral deferral", cb.Body)
		}
		h.edit(s, func(c string) bool { return c == "Thanks! footnote noted that this answer was not helpful (outdated)." })
		want := []retrieval.Feedback{{Collection: guildA, QuestionID: 1, User: bob.id, Reason: "outdated",
			Comment: "The vote moved to Friday."}}
		if got := eng.feedbacks(); !reflect.DeepEqual(got, want) {
			t.Errorf("feedback %+v, want %+v", got, want)
		}
	})

	t.Run("a reason that is none of the choices is stored as other, its words kept in the comment", func(t *testing.T) {
		h, eng, _ := answered(t)
		s := h.send(h.modalSubmit(guildA, bob, "fbm:1", map[string]string{reasonInputID: "rude"}))
		h.edit(s, nil)
		want := []retrieval.Feedback{{Collection: guildA, QuestionID: 1, User: bob.id, Reason: "other", Comment: "Reason: rude"}}
		if got := eng.feedbacks(); !reflect.DeepEqual(got, want) {
			t.Errorf("feedback %+v, want %+v", got, want)
		}
	})

	t.Run("over the gateway, the form opens and its submission is stored", func(t *testing.T) {
		eng := newFakeEngine()
		h, gw := startGateway(t, eng)
		p, s := h.click(guildA, bob, "fb:down:7")
		gw.dispatch("INTERACTION_CREATE", p)
		if cb := h.callback(s); cb.num("type") != int(dg.InteractionResponseModal) {
			t.Errorf("callback %v, want a modal", cb.Body)
		}
		p, s = h.modalSubmit(guildA, bob, "fbm:7", map[string]string{reasonInputID: "wrong source", commentInputID: "x"})
		gw.dispatch("INTERACTION_CREATE", p)
		h.edit(s, nil)
		want := []retrieval.Feedback{{Collection: guildA, QuestionID: 7, User: bob.id, Reason: "wrong_source", Comment: "x"}}
		if got := eng.feedbacks(); !reflect.DeepEqual(got, want) {
			t.Errorf("feedback %+v, want %+v", got, want)
		}
	})

	t.Run("the reason menu shown before the form still works", func(t *testing.T) {
		h, eng, _ := answered(t)
		s := h.send(h.click(guildA, bob, "fbr:1", "incomplete"))
		h.edit(s, func(c string) bool {
			return c == "Thanks! footnote noted that this answer was not helpful (incomplete)."
		})
		if got := eng.feedbacks(); len(got) != 1 || got[0].Reason != "incomplete" {
			t.Errorf("feedback %+v", got)
		}
	})
}
