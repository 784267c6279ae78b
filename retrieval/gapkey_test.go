package retrieval

import (
	"testing"
	"time"
)

// Questions asked in other words are one gap when they ask for the same kind of answer
// with the same content words; another kind of answer, or another word, is another gap.
func TestGapKeyGroupsWhatIsAsked(t *testing.T) {
	same := [][2]string{
		{"Who is Springfield's mayor?", "who is the mayor of springfield"},
		{"Tell me about Yukos", "What's the latest on Yukos?"},
		{"Summarize the news about Yukos", "yukos"},
		{"When was the bridge opened?", "What year was the bridge opened"},
		{"How many moons does Neptune have?", "Neptune has how many moons?"},
	}
	for _, p := range same {
		if a, b := gapKey(p[0]), gapKey(p[1]); a != b || a == "" {
			t.Errorf("gapKey(%q) = %q, gapKey(%q) = %q; want one gap", p[0], a, p[1], b)
		}
	}
	differ := [][2]string{
		{"When was the bridge opened?", "Who opened the bridge?"},
		{"How many moons does Neptune have?", "How many moons does Uranus have?"},
		{"Where is the new stadium?", "Where is the old stadium?"},
	}
	for _, p := range differ {
		if a, b := gapKey(p[0]), gapKey(p[1]); a == b {
			t.Errorf("gapKey(%q) and gapKey(%q) are both %q; want two gaps", p[0], p[1], a)
		}
	}
	if k := gapKey("What is it?"); k != "" {
		t.Errorf("gapKey of a question without content words = %q; want \"\"", k)
	}
}

// mergeGaps adds up a gap's wordings, shows the latest, drops groups with nothing missed,
// and orders and bounds the list.
func TestMergeGaps(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 12, 1, 12, m, 0, 0, time.UTC) }
	wordings := []Gap{ // most recent first, as the database returns them
		{Question: "who is the mayor of springfield", Asked: 1, Last: at(50), NotCovered: 0},
		{Question: "What is it?", Asked: 1, Last: at(45), NotCovered: 1},
		{Question: "How tall is the tower?", Asked: 2, Last: at(40), NotCovered: 0},
		{Question: "Who is Springfield's mayor?", Asked: 2, Last: at(30), NotCovered: 2},
		{Question: "What is this?", Asked: 1, Last: at(20), NotCovered: 1},
		{Question: "When did the tower open?", Asked: 1, Last: at(10), NotCovered: 0, Unhelpful: 1},
	}
	got := mergeGaps(wordings, 10)
	want := []Gap{
		{Question: "who is the mayor of springfield", Asked: 3, Last: at(50), NotCovered: 2},
		{Question: "What is it?", Asked: 1, Last: at(45), NotCovered: 1},
		{Question: "What is this?", Asked: 1, Last: at(20), NotCovered: 1},
		{Question: "When did the tower open?", Asked: 1, Last: at(10), Unhelpful: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("mergeGaps = %+v; want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("gap %d = %+v; want %+v", i, got[i], want[i])
		}
	}
	if one := mergeGaps(wordings, 1); len(one) != 1 || one[0].Asked != 3 {
		t.Errorf("mergeGaps limited to 1 = %+v", one)
	}
}
