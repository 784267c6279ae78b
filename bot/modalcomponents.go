package bot

import (
	"encoding/json"
	"fmt"

	dg "github.com/bwmarrin/discordgo"
)

// Discord's modal components as its API documents them today, which discordgo v0.29 can
// neither send nor read: a Label (type 18) gives one input its label (and description),
// and may hold a string select (type 3), which a modal takes only inside a Label, or a
// text input (type 4), which then carries no label of its own. Sent, they marshal to that
// JSON through discordgo's usual REST call or the HTTP response body. Received, a modal
// submission nests each input's value inside its Label, and discordgo fails to decode the
// whole interaction ("unknown component type: 18"), so footnote decodes modal submissions
// itself (decodeInteraction), from the Label shape and from the older one of action rows
// holding text inputs.

// labelComponent is the type of a Label.
const labelComponent dg.ComponentType = 18

// modalLabel is a Label holding one input.
type modalLabel struct {
	Label       string // at most 45 characters
	Description string // at most 100 characters; optional
	Component   dg.MessageComponent
}

// Type returns the Label component type.
func (modalLabel) Type() dg.ComponentType { return labelComponent }

// MarshalJSON writes the Label as Discord takes it.
func (c modalLabel) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type        dg.ComponentType    `json:"type"`
		Label       string              `json:"label"`
		Description string              `json:"description,omitempty"`
		Component   dg.MessageComponent `json:"component"`
	}{labelComponent, c.Label, c.Description, c.Component})
}

// modalSelect is a string select in a modal: one choice among Options.
type modalSelect struct {
	CustomID    string
	Placeholder string
	Options     []dg.SelectMenuOption
	Required    bool
}

// Type returns the string select component type.
func (modalSelect) Type() dg.ComponentType { return dg.SelectMenuComponent }

// MarshalJSON writes the select as Discord takes it in a modal: one value exactly.
func (c modalSelect) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type        dg.ComponentType      `json:"type"`
		CustomID    string                `json:"custom_id"`
		Placeholder string                `json:"placeholder,omitempty"`
		Options     []dg.SelectMenuOption `json:"options"`
		MinValues   int                   `json:"min_values"`
		MaxValues   int                   `json:"max_values"`
		Required    bool                  `json:"required"`
	}{dg.SelectMenuComponent, c.CustomID, c.Placeholder, c.Options, 1, 1, c.Required})
}

// modalTextInput is a text input inside a Label, which labels it.
type modalTextInput struct {
	CustomID    string
	Style       dg.TextInputStyle
	Placeholder string
	Required    bool
	MaxLength   int
}

// Type returns the text input component type.
func (modalTextInput) Type() dg.ComponentType { return dg.TextInputComponent }

// MarshalJSON writes the text input without a label (its Label has it).
func (c modalTextInput) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type        dg.ComponentType  `json:"type"`
		CustomID    string            `json:"custom_id"`
		Style       dg.TextInputStyle `json:"style"`
		Placeholder string            `json:"placeholder,omitempty"`
		Required    bool              `json:"required"`
		MaxLength   int               `json:"max_length,omitempty"`
	}{dg.TextInputComponent, c.CustomID, c.Style, c.Placeholder, c.Required, c.MaxLength})
}

// modalSubmit is a submitted modal: its custom id and each input's values by custom id
// (a text input's text, a select's choices).
type modalSubmit struct {
	CustomID string
	Values   map[string][]string
}

// Type returns the modal submit interaction type.
func (modalSubmit) Type() dg.InteractionType { return dg.InteractionModalSubmit }

// submittedComponent is a component of a modal submission: a Label (component), an action
// row (components), or an input (custom_id with value or values).
type submittedComponent struct {
	Type       dg.ComponentType     `json:"type"`
	CustomID   string               `json:"custom_id"`
	Value      *string              `json:"value"`
	Values     []string             `json:"values"`
	Component  *submittedComponent  `json:"component"`
	Components []submittedComponent `json:"components"`
}

// decodeModalSubmit reads a modal submission's data. It returns an error when the JSON is
// malformed.
func decodeModalSubmit(data []byte) (modalSubmit, error) {
	var d struct {
		CustomID   string               `json:"custom_id"`
		Components []submittedComponent `json:"components"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return modalSubmit{}, fmt.Errorf("decode modal submission: %w", err)
	}
	out := modalSubmit{CustomID: d.CustomID, Values: map[string][]string{}}
	var walk func([]submittedComponent)
	walk = func(cs []submittedComponent) {
		for _, c := range cs {
			switch {
			case c.Component != nil:
				walk([]submittedComponent{*c.Component})
			case len(c.Components) > 0:
				walk(c.Components)
			case c.CustomID != "" && c.Value != nil:
				out.Values[c.CustomID] = []string{*c.Value}
			case c.CustomID != "":
				out.Values[c.CustomID] = c.Values
			}
		}
	}
	walk(d.Components)
	return out, nil
}

// decodeInteraction reads an interaction as Discord sends it, over HTTP or the gateway.
// discordgo decodes every kind but a modal submission, whose data footnote reads itself
// (decodeModalSubmit) and puts in Data as a modalSubmit. It returns an error when the JSON
// is malformed.
func decodeInteraction(raw []byte) (*dg.Interaction, error) {
	var head struct {
		Type dg.InteractionType `json:"type"`
		Data json.RawMessage    `json:"data"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("decode interaction: %w", err)
	}
	var i dg.Interaction
	if head.Type != dg.InteractionModalSubmit {
		if err := json.Unmarshal(raw, &i); err != nil {
			return nil, fmt.Errorf("decode interaction: %w", err)
		}
		return &i, nil
	}
	d, err := decodeModalSubmit(head.Data)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("decode interaction: %w", err)
	}
	fields["data"] = json.RawMessage(`{}`) // read above; discordgo would fail on its Labels
	stripped, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("decode interaction: %w", err)
	}
	if err := json.Unmarshal(stripped, &i); err != nil {
		return nil, fmt.Errorf("decode interaction: %w", err)
	}
	i.Data = d
	return &i, nil
}
