package text

import (
	"math/bits"
	"testing"
)

func TestRepeats(t *testing.T) {
	story := "Robinson, a former rugby league international before switching codes in 2000, leads England " +
		"against Australia at Twickenham at 1430 GMT. And at 1815 GMT, Great Britain's rugby league team " +
		"take on Australia in the final of the Tri-Nations tournament."
	// The synthetic corpus's kind of copy: a word in twelve replaced, half the numbers changed.
	copied := "Robinson, a former rugby league international before also codes in 2000, leads England " +
		"against Australia at The at 1430 GMT. And at 1815 Not, Great Britain's rugby league team " +
		"take on Australia in the did of the Tri-Nations tournament."
	// Same topic, other words.
	related := "England's rugby union side meet Australia at Twickenham on Saturday, a week after Great " +
		"Britain's league team lost the Tri-Nations final to the Kangaroos in Leeds."
	tests := []struct {
		name     string
		a, b     string
		min, max float64
	}{
		{"a text repeats itself whole", story, story, 1, 1},
		{"case and punctuation do not count", story, "ROBINSON A FORMER RUGBY LEAGUE INTERNATIONAL BEFORE SWITCHING CODES IN 2000 LEADS ENGLAND AGAINST AUSTRALIA AT TWICKENHAM AT 1430 GMT AND AT 1815 GMT GREAT BRITAIN'S RUGBY LEAGUE TEAM TAKE ON AUSTRALIA IN THE FINAL OF THE TRI-NATIONS TOURNAMENT", 1, 1},
		{"a copy with a few words changed is mostly repeated", copied, story, 0.6, 0.95},
		{"a passage on the same subject in other words is not", related, story, 0, 0.3},
		{"a short text inside a longer one is repeated whole", "leads England against Australia at Twickenham", story, 1, 1},
		{"the longer one is not repeated by the short one", story, "leads England against Australia at Twickenham", 0, 0.2},
		{"a word with letters beyond ASCII is one word", "Ögedei Khan ruled the empire", "Ögedei Khan ruled the empire", 1, 1},
		{"and differs from its ASCII spelling", "Ögedei Khan", "Ogedei Khan", 0, 0},
		{"word order counts", "Australia against England", "England against Australia", 0, 0},
		{"a text of one word has no pairs", "Twickenham", story, 0, 0},
		{"an empty text repeats nothing", "", story, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Fingerprint(tt.a), Fingerprint(tt.b)
			if got := a.Repeats(&b); got < tt.min || got > tt.max {
				t.Errorf("Repeats = %.3f, want %.2f to %.2f", got, tt.min, tt.max)
			}
		})
	}
}

func TestFingerprintCountsPairsOnce(t *testing.T) {
	p := Fingerprint("the cat sat on the mat and the cat sat on the mat")
	n := 0
	for _, w := range p {
		n += bits.OnesCount64(w)
	}
	// Pairs: the cat, cat sat, sat on, on the, the mat, mat and, and the: seven distinct
	// (two could share a bit, once in about 600 such texts; these do not).
	if n != 7 {
		t.Fatalf("got %d pairs, want 7", n)
	}
}
