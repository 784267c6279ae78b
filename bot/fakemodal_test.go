package bot

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"unicode/utf8"
)

// The fake Discord checks every modal footnote opens as Discord does, and fills in a
// modal the way Discord sends its submission: each input's value nested in its Label.

// Discord's limits on modals and their components.
const (
	maxModalTitle        = 45
	maxModalComponents   = 5
	maxLabelText         = 45
	maxLabelDescription  = 100
	maxSelectOptions     = 25
	maxSelectOptionChars = 100
	maxTextInputLength   = 4000
)

// Component types a modal may hold.
const (
	typeActionRow   = 1
	typeStringSel   = 3
	typeTextInput   = 4
	typeTextDisplay = 10
	typeLabel       = 18
)

// validateModal returns why Discord would refuse the modal data (an interaction
// response of type 9), or nil.
func validateModal(d map[string]any) error {
	if n := utf8.RuneCountInString(str(d["title"])); n < 1 || n > maxModalTitle {
		return fmt.Errorf("title has %d characters (1 to %d)", n, maxModalTitle)
	}
	if id := str(d["custom_id"]); id == "" || len(id) > maxCustomID {
		return fmt.Errorf("custom_id %q", id)
	}
	comps := list(d["components"])
	if len(comps) < 1 || len(comps) > maxModalComponents {
		return fmt.Errorf("%d components (1 to %d)", len(comps), maxModalComponents)
	}
	for i, c := range comps {
		if err := validateModalTop(obj(c)); err != nil {
			return fmt.Errorf("components[%d]: %w", i, err)
		}
	}
	return nil
}

// validateModalTop checks one top-level component: a Label, a Text Display, or an action
// row with one text input (the older shape Discord still takes).
func validateModalTop(c map[string]any) error {
	switch num(c["type"]) {
	case typeLabel:
		if n := utf8.RuneCountInString(str(c["label"])); n < 1 || n > maxLabelText {
			return fmt.Errorf("label has %d characters (1 to %d)", n, maxLabelText)
		}
		if n := utf8.RuneCountInString(str(c["description"])); n > maxLabelDescription {
			return fmt.Errorf("label description has %d characters", n)
		}
		inner := obj(c["component"])
		switch num(inner["type"]) {
		case typeTextInput:
			if _, ok := inner["label"]; ok {
				return errors.New("a text input inside a Label must not have a label")
			}
			return validateTextInput(inner)
		case typeStringSel:
			return validateSelect(inner)
		}
		return fmt.Errorf("a Label holds a text input or a select, not type %v", inner["type"])
	case typeTextDisplay:
		if str(c["content"]) == "" {
			return errors.New("text display without content")
		}
		return nil
	case typeActionRow:
		row := list(c["components"])
		if len(row) != 1 || num(obj(row[0])["type"]) != typeTextInput {
			return errors.New("an action row in a modal holds one text input only; a select needs a Label")
		}
		inner := obj(row[0])
		if str(inner["label"]) == "" {
			return errors.New("a text input in an action row needs a label")
		}
		return validateTextInput(inner)
	}
	return fmt.Errorf("type %v cannot be a modal's top-level component (a select must be inside a Label)", c["type"])
}

func validateTextInput(c map[string]any) error {
	if id := str(c["custom_id"]); id == "" || len(id) > maxCustomID {
		return fmt.Errorf("text input custom_id %q", id)
	}
	if s := num(c["style"]); s != 1 && s != 2 {
		return fmt.Errorf("text input style %v", c["style"])
	}
	if n := num(c["max_length"]); n < 0 || n > maxTextInputLength {
		return fmt.Errorf("text input max_length %d", n)
	}
	if n := utf8.RuneCountInString(str(c["placeholder"])); n > 100 {
		return fmt.Errorf("text input placeholder has %d characters", n)
	}
	return nil
}

func validateSelect(c map[string]any) error {
	if id := str(c["custom_id"]); id == "" || len(id) > maxCustomID {
		return fmt.Errorf("select custom_id %q", id)
	}
	if _, ok := c["disabled"]; ok && c["disabled"] == true {
		return errors.New("a select in a modal cannot be disabled")
	}
	opts := list(c["options"])
	if len(opts) < 1 || len(opts) > maxSelectOptions {
		return fmt.Errorf("%d select options (1 to %d)", len(opts), maxSelectOptions)
	}
	var values []string
	for i, o := range opts {
		m := obj(o)
		for _, k := range []string{"label", "value", "description"} {
			if n := utf8.RuneCountInString(str(m[k])); n > maxSelectOptionChars || (k != "description" && n == 0) {
				return fmt.Errorf("option %d: %s has %d characters", i, k, n)
			}
		}
		if slices.Contains(values, str(m["value"])) {
			return fmt.Errorf("option %d: value %q repeated", i, m["value"])
		}
		values = append(values, str(m["value"]))
	}
	if n := utf8.RuneCountInString(str(c["placeholder"])); n > 150 {
		return fmt.Errorf("select placeholder has %d characters", n)
	}
	return nil
}

// checkModal refuses, through the test, a modal Discord would refuse, and reports whether
// it was refused.
func (f *fakeDiscord) checkModal(c call) bool {
	if num(c.Body["type"]) != 9 {
		return false
	}
	if err := validateModal(c.data().Body); err != nil {
		f.t.Errorf("Discord would refuse this modal (400 Invalid Form Body): %v\n%v", err, c.Body)
		return true
	}
	return false
}

// refuseModal answers a callback carrying a modal Discord would refuse as Discord does.
func (f *fakeDiscord) refuseModal(w http.ResponseWriter, c call) bool {
	if !f.checkModal(c) {
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`{"message": "Invalid Form Body", "code": 50035, "errors": {}}`))
	return true
}

// fillModal is the components of the submission of modal (its callback's data), as
// Discord sends them when a member fills in answers (by custom id: a text, or a select's
// value) and presses Submit: each Label with its input's value inside, ids numbered as
// Discord numbers them. It fails the test on a select answer that is not one of the options.
func (f *fakeDiscord) fillModal(modal call, answers map[string]string) []any {
	f.t.Helper()
	var out []any
	id := 0
	next := func() int { id++; return id }
	input := func(c map[string]any) map[string]any {
		in := map[string]any{"type": num(c["type"]), "id": next(), "custom_id": str(c["custom_id"])}
		a, given := answers[str(c["custom_id"])]
		switch num(c["type"]) {
		case typeStringSel:
			values := []any{}
			if given {
				ok := false
				for _, o := range list(c["options"]) {
					ok = ok || str(obj(o)["value"]) == a
				}
				if !ok {
					f.t.Errorf("a member cannot choose %q in select %q", a, c["custom_id"])
				}
				values = append(values, a)
			}
			in["values"] = values
		default:
			in["value"] = a
		}
		return in
	}
	for _, c := range list(modal.data().Body["components"]) {
		m := obj(c)
		switch num(m["type"]) {
		case typeLabel:
			out = append(out, map[string]any{"type": typeLabel, "id": next(), "component": input(obj(m["component"]))})
		case typeActionRow:
			row := map[string]any{"type": typeActionRow, "id": next()}
			var inputs []any
			for _, x := range list(m["components"]) {
				inputs = append(inputs, input(obj(x)))
			}
			row["components"] = inputs
			out = append(out, row)
		case typeTextDisplay:
			out = append(out, map[string]any{"type": typeTextDisplay, "id": next()})
		}
	}
	return out
}

func str(v any) string         { s, _ := v.(string); return s }
func num(v any) int            { n, _ := v.(float64); return int(n) }
func list(v any) []any         { l, _ := v.([]any); return l }
func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
