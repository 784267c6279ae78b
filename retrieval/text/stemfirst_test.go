package text

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// TestStemFirstIsTheStemsFirstByte: Question.Read skips stemming a word whose stem cannot
// begin as a question term does, so stemFirst must give the first byte of the word's stem
// for every word (or 0, which every question admits): irregular and ordinal forms,
// possessives, apostrophes curly and straight, leading apostrophes, numbers with commas,
// the Snowball stemmer's special words, and many made-up words.
func TestStemFirstIsTheStemsFirstByte(t *testing.T) {
	words := []string{"'tis", "’tis", "''", "'", "’", "'s", "ran's", "went", "3rd", "3rd's", "1,000", "y", "yes", "youth",
		"skis", "skies", "dying", "lying", "tying", "idly", "gently", "ugly", "early", "only", "singly", "news", "howe",
		"atlas", "cosmos", "bias", "andes", "inning", "outing", "canning", "herring", "earring", "proceed", "exceed",
		"succeed", "generate", "generous", "communism", "arsenal", "élan", "über", "o’clock", "rock'n'roll"}
	for w := range irregular {
		words = append(words, w, w+"'s", w+"’s", "'"+w)
	}
	for w := range ordinals {
		words = append(words, w, w+"'s")
	}
	r := rand.New(rand.NewSource(11))
	alphabet := []string{"a", "e", "i", "o", "u", "y", "b", "c", "d", "l", "n", "s", "t", "'", "’", "1", "9", ",", "é", "ing", "ed", "ies", "ly", "ness"}
	for range 200000 {
		var b strings.Builder
		for range 1 + r.Intn(8) {
			b.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		words = append(words, b.String())
	}
	for _, w := range words {
		s := Stem(w)
		if f := stemFirst(w); s != "" && f != 0 && s[0] != f {
			t.Fatalf("stemFirst(%q) = %q, but its stem %q begins with %q", w, f, s, s[0])
		}
	}
}

// TestReadingSkipsOnlyWhatCannotMatch: a question reads every sentence as it would if it
// stemmed every word: the same terms held, spellings, phrases, novel words and answer kind.
func TestReadingSkipsOnlyWhatCannotMatch(t *testing.T) {
	questions := []string{
		"Who makes decisions in between the four-year meetings?",
		"In what year was Rose Mary Denman defrocked?",
		"What did the 3rd emperor's army run to in 1,200 AD?",
		"How many people went to the seige of Yorktown?",
	}
	vocab := strings.Fields(`the a of decision decisions decided made make making meeting meetings met
		four-year four year years yearly 1,200 1200 3rd third emperor emperors emperor's emperor’s army armies
		ran run running went go going siege seige sieges Yorktown yorktown Rose rose Mary Denman defrocked
		defrock people peoples many between in-between 'tis and is was were by who what how Tuesday 1945 May`)
	r := rand.New(rand.NewSource(13))
	for _, qs := range questions {
		q := NewQuestion(qs, nil)
		q.Spell(map[string][]string{"seig": {"sieg"}, "emperor": {"emperor", "empor"}})
		all := *q
		for i := range all.firsts {
			all.firsts[i] = true
		}
		for range 3000 {
			var words []string
			for range 1 + r.Intn(20) {
				words = append(words, vocab[r.Intn(len(vocab))])
			}
			s := strings.Join(words, " ") + "."
			if got, want := q.Read(s), all.Read(s); !reflect.DeepEqual(got, want) {
				t.Fatalf("%q read %q as %+v; stemming every word reads %+v", qs, s, got, want)
			}
		}
	}
}
