package text

import (
	"reflect"
	"strings"
	"testing"
)

func TestTerms(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"stop words are dropped and words stemmed", "The running of the Bulls", []string{"run", "bull"}},
		{"numbers keep their digits and separators", "It cost 1,200 dollars in 2004", []string{"cost", "1200", "dollar", "2004"}},
		{"a hyphenated word yields its parts and the joined form", "state-owned firms", []string{"state", "own", "stateown", "firm"}},
		{"possessives match the bare noun", "Melbourne's trams", []string{"melbourn", "tram"}},
		{"diacritics are folded so names match as typed", "Ögedei and Temür", []string{"ogedei", "temur"}},
		{"small ordinals match their spelled-out form", "his 3rd son, the third", []string{"third", "son", "third"}},
		{"a word too long to be a word is not indexed", "data " + strings.Repeat("x", 65) + " end", []string{"data", "end"}},
		{"irregular past forms match their verb", "Apollo ran; they run. It was won.", []string{"apollo", "run", "run", "win"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Terms(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Terms(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokensOffsets(t *testing.T) {
	s := "Hello, wörld! It's 3.5% — ok."
	for _, tok := range Tokens(s) {
		if got := s[tok.Start:tok.End]; len(got) == 0 {
			t.Fatalf("empty token at %d", tok.Start)
		}
	}
	got := []string{}
	for _, tok := range Tokens(s) {
		got = append(got, tok.Word)
	}
	want := []string{"hello", "world", "it's", "3.5", "ok"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"plain sentences split at full stops", "One is here. Two is there! Three?", []string{"One is here.", "Two is there!", "Three?"}},
		{"abbreviations and initials do not split", "Mr. Smith met J. K. Rowling in the U.S. Army. Then he left.", []string{"Mr. Smith met J. K. Rowling in the U.S. Army.", "Then he left."}},
		{"a closing quote stays with its sentence", `He said "go." She went.`, []string{`He said "go."`, "She went."}},
		{"decimals do not split", "Growth was 3.5 percent. Good.", []string{"Growth was 3.5 percent.", "Good."}},
		{"a line break always ends a sentence", "Title line\nBody starts here.", []string{"Title line", "Body starts here."}},
		{"lower-case after a stop does not split", "It rose 5 p.c. in march. Fine.", []string{"It rose 5 p.c. in march.", "Fine."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, sp := range Sentences(tt.in) {
				got = append(got, tt.in[sp.Start:sp.End])
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParagraphs(t *testing.T) {
	s := "First para.\n\n\n Second para. \n\nThird."
	var got []string
	for _, sp := range Paragraphs(s) {
		got = append(got, s[sp.Start:sp.End])
	}
	want := []string{"First para.", "Second para.", "Third."}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Paragraphs = %q, want %q", got, want)
	}
}

func TestWordsTellInflectionFromDerivation(t *testing.T) {
	same := func(a, b string) bool {
		wa, wb := Words(a), Words(b)
		for term, q := range wa {
			if p, ok := wb[term]; ok {
				return SameWord(q, p)
			}
		}
		t.Fatalf("%q and %q share no term", a, b)
		return false
	}
	for _, p := range [][2]string{{"launches", "launched"}, {"meetings", "meeting"}, {"studies", "studied"}, {"produce", "producing"},
		{"stopped", "stop"}, {"churches", "church"}, {"makes", "made"}, {"died", "die"}, {"3rd", "third"},
		{"lowest-ranked", "the lowest rank"}, {"the well-known", "known"}} {
		if !same(p[0], p[1]) {
			t.Errorf("%q and %q read as different words; they are one word inflected", p[0], p[1])
		}
	}
	for _, p := range [][2]string{{"successful", "succession"}, {"Elders", "elderly"}, {"national", "nation"}, {"successful-looking", "succession"}} {
		if same(p[0], p[1]) {
			t.Errorf("%q and %q read as one word; they share a root, not a meaning", p[0], p[1])
		}
	}
}
