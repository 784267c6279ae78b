package text

import (
	"maps"
	"testing"
)

func TestAcronyms(t *testing.T) {
	got := Acronyms("From what mission were the DSMs awarded, and what did AAP stand for in the US?")
	want := map[string]string{"dsms": "DSM", "aap": "AAP", "us": "US"} // keyed by the index term
	if !maps.Equal(got, want) {
		t.Errorf("Acronyms = %v, want %v", got, want)
	}
	if got := Acronyms("What did Apollo and NASAPROGRAM do? A I"); len(got) != 0 {
		t.Errorf("Acronyms = %v, want none (a capitalised word, seven capitals, single letters)", got)
	}
}

func TestExpansionCount(t *testing.T) {
	for _, tt := range []struct {
		s, letters string
		want       int
	}{
		{"NASA awarded them the Distinguished Service Medal, and later Distinguished Service Medals.", "DSM", 2},
		{"It grew into the Apollo Applications Program (AAP).", "AAP", 1},
		{"The Bank for International Settlements said so.", "BIS", 1},
		{"The distinguished service medal", "DSM", 0},         // not capitalised: not a name
		{"Distinguished Service was given a Medal", "DSM", 0}, // not in a row
		{"Of Distinguished Service Medal", "ODSM", 1},
		{"", "DSM", 0},
	} {
		if got := ExpansionCount(tt.s, tt.letters); got != tt.want {
			t.Errorf("ExpansionCount(%q, %q) = %d, want %d", tt.s, tt.letters, got, tt.want)
		}
	}
}
