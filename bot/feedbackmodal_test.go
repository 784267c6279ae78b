package bot

import (
	"encoding/json"
	"reflect"
	"testing"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// submitModal builds the submission of modal (the callback that opened it) as Discord
// sends it once the member has given answers (by custom id).
func (h *harness) submitModal(guild string, m member, modal call, answers map[string]string) (map[string]any, sent) {
	return h.interaction(dg.InteractionModalSubmit, guild, m, map[string]any{
		"custom_id": modal.data().str("custom_id"), "components": h.discord.fillModal(modal, answers)})
}

func TestReasonModal(t *testing.T) {
	answered := func(t *testing.T) (*harness, *fakeEngine, string) {
		eng := newFakeEngine()
		eng.add(guildA, retrieval.Article{URL: "https://news.example/a", Title: "A", Text: "The budget passed on Tuesday."})
		h := newHarness(t, eng)
		ids := h.edit(h.ask(guildA, alice, "When did the budget pass?"), nil).customIDs()
		return h, eng, ids[len(ids)-1]
	}
	opened := func(t *testing.T, h *harness, down string) call {
		t.Helper()
		cb := h.callback(h.send(h.click(guildA, bob, down)))
		if cb.num("type") != int(dg.InteractionResponseModal) {
			t.Fatalf("callback %v, want a modal (type 9)", cb.Body)
		}
		return cb
	}

	t.Run("thumbs down opens a form: a menu of the reasons and a free-text box, each in a Label", func(t *testing.T) {
		h, eng, down := answered(t)
		if down != "fb:down:1" {
			t.Fatalf("last button %q", down)
		}
		form := opened(t, h, down).data()
		if form.str("custom_id") != "fbm:1" || form.str("title") == "" {
			t.Errorf("form %v", form.Body)
		}
		comps := list(form.Body["components"])
		if len(comps) != 2 {
			t.Fatalf("components %v", comps)
		}
		reason, comment := obj(comps[0]), obj(comps[1])
		menu, box := obj(reason["component"]), obj(comment["component"])
		if num(reason["type"]) != typeLabel || num(menu["type"]) != typeStringSel || str(menu["custom_id"]) != reasonInputID ||
			menu["required"] != true {
			t.Errorf("reason %v, want a required select in a Label", reason)
		}
		var values []string
		for _, o := range list(menu["options"]) {
			values = append(values, str(obj(o)["value"]))
		}
		if want := []string{"wrong_source", "outdated", "incomplete", "other"}; !reflect.DeepEqual(values, want) {
			t.Errorf("reasons %v, want %v", values, want)
		}
		if num(comment["type"]) != typeLabel || num(box["type"]) != typeTextInput || str(box["custom_id"]) != commentInputID ||
			num(box["style"]) != int(dg.TextInputParagraph) || box["required"] != false {
			t.Errorf("comment %v, want an optional paragraph text input in a Label", comment)
		}
		if n := len(eng.feedbacks()); n != 0 {
			t.Errorf("%d feedback stored before the form was sent", n)
		}
	})

	t.Run("the submitted form, Labels and all, stores the chosen reason and the comment, and thanks ephemerally", func(t *testing.T) {
		h, eng, down := answered(t)
		form := opened(t, h, down)
		s := h.send(h.submitModal(guildA, bob, form, map[string]string{reasonInputID: "outdated",
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

	t.Run("a German member gets the form in German and is thanked in German", func(t *testing.T) {
		h, eng, down := answered(t)
		p, s := h.click(guildA, bob, down)
		p["locale"] = "de"
		form := h.callback(h.send(p, s))
		if got := form.data().str("title"); got != "Was war an der Antwort falsch?" {
			t.Errorf("title %q", got)
		}
		p, s = h.submitModal(guildA, bob, form, map[string]string{reasonInputID: "wrong_source"})
		p["locale"] = "de"
		h.edit(h.send(p, s), func(c string) bool {
			return c == "Danke! footnote hat vermerkt, dass diese Antwort nicht hilfreich war (Falsche Quelle)."
		})
		if got := eng.feedbacks(); len(got) != 1 || got[0].Reason != "wrong_source" || got[0].Comment != "" {
			t.Errorf("feedback %+v", got)
		}
	})

	t.Run("a form opened before the Labels, its reason typed in a text box, is still read", func(t *testing.T) {
		h, eng, _ := answered(t)
		s := h.send(h.modalSubmit(guildA, bob, "fbm:1", map[string]string{reasonInputID: "Outdated",
			commentInputID: "The vote moved to Friday."}))
		h.edit(s, func(c string) bool { return c == "Thanks! footnote noted that this answer was not helpful (outdated)." })
		want := []retrieval.Feedback{{Collection: guildA, QuestionID: 1, User: bob.id, Reason: "outdated",
			Comment: "The vote moved to Friday."}}
		if got := eng.feedbacks(); !reflect.DeepEqual(got, want) {
			t.Errorf("feedback %+v, want %+v", got, want)
		}
	})

	t.Run("a typed reason that is none of the choices is stored as other, its words kept in the comment", func(t *testing.T) {
		h, eng, _ := answered(t)
		s := h.send(h.modalSubmit(guildA, bob, "fbm:1", map[string]string{reasonInputID: "rude"}))
		h.edit(s, nil)
		want := []retrieval.Feedback{{Collection: guildA, QuestionID: 1, User: bob.id, Reason: "other", Comment: "Reason: rude"}}
		if got := eng.feedbacks(); !reflect.DeepEqual(got, want) {
			t.Errorf("feedback %+v, want %+v", got, want)
		}
	})

	t.Run("over the gateway, the form opens and its submission, Labels and all, is stored", func(t *testing.T) {
		eng := newFakeEngine()
		h, gw := startGateway(t, eng)
		p, s := h.click(guildA, bob, "fb:down:7")
		gw.dispatch("INTERACTION_CREATE", p)
		form := h.callback(s)
		if form.num("type") != int(dg.InteractionResponseModal) {
			t.Fatalf("callback %v, want a modal", form.Body)
		}
		p, s = h.submitModal(guildA, bob, form, map[string]string{reasonInputID: "wrong_source", commentInputID: "x"})
		gw.dispatch("INTERACTION_CREATE", p)
		h.edit(s, nil)
		p, s = h.modalSubmit(guildA, bob, "fbm:7", map[string]string{reasonInputID: "incomplete"})
		gw.dispatch("INTERACTION_CREATE", p)
		h.edit(s, nil)
		want := []retrieval.Feedback{
			{Collection: guildA, QuestionID: 7, User: bob.id, Reason: "wrong_source", Comment: "x"},
			{Collection: guildA, QuestionID: 7, User: bob.id, Reason: "incomplete"},
		}
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

	t.Run("the form keeps to Discord's limits in every language", func(t *testing.T) {
		for _, l := range append(languages(), "") {
			data, err := json.Marshal(reasonModal(l, "12345678901234567890"))
			if err != nil {
				t.Fatal(err)
			}
			var resp map[string]any
			if err := json.Unmarshal(data, &resp); err != nil {
				t.Fatal(err)
			}
			if err := validateModal(obj(resp["data"])); err != nil {
				t.Errorf("%q: %v", l, err)
			}
		}
	})
}

func TestFakeModalValidation(t *testing.T) {
	label := func(inner map[string]any) map[string]any {
		return map[string]any{"type": float64(typeLabel), "label": "Reason", "component": inner}
	}
	sel := map[string]any{"type": float64(typeStringSel), "custom_id": "reason",
		"options": []any{map[string]any{"label": "Outdated", "value": "outdated"}}}
	text := map[string]any{"type": float64(typeTextInput), "custom_id": "comment", "style": float64(2)}
	modal := func(comps ...any) map[string]any {
		return map[string]any{"title": "What was wrong?", "custom_id": "fbm:1", "components": comps}
	}
	for _, tc := range []struct {
		name  string
		modal map[string]any
		ok    bool
	}{
		{"a select and a text input, each in a Label, are accepted", modal(label(sel), label(text)), true},
		{"a text input with its own label in an action row (the older shape) is accepted",
			modal(map[string]any{"type": float64(typeActionRow), "components": []any{
				map[string]any{"type": float64(typeTextInput), "custom_id": "c", "style": float64(1), "label": "Comment"}}}), true},
		{"a select at the top level is refused", modal(sel), false},
		{"a select in an action row is refused", modal(map[string]any{"type": float64(typeActionRow), "components": []any{sel}}), false},
		{"a text input that has a label inside a Label is refused", modal(label(map[string]any{"type": float64(typeTextInput),
			"custom_id": "c", "style": float64(1), "label": "Comment"})), false},
		{"a Label without a component is refused", modal(map[string]any{"type": float64(typeLabel), "label": "Reason"}), false},
		{"a select without options is refused", modal(label(map[string]any{"type": float64(typeStringSel), "custom_id": "r"})), false},
		{"a title over 45 characters is refused", map[string]any{"title": "What exactly was wrong with the answer footnote gave?",
			"custom_id": "fbm:1", "components": []any{label(sel)}}, false},
		{"six components are refused", modal(label(text), label(text), label(text), label(text), label(text), label(text)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := validateModal(tc.modal); (err == nil) != tc.ok {
				t.Errorf("validateModal = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
