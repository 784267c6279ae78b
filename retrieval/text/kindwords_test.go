package text

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The expressions a sentence's kind was read with before holdsTime and holdsNumber: the
// word loops must agree with them on every text.
var (
	yearRE   = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})s?\b`)
	timeRE   = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})s?\b|\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|\bcentur(y|ies)\b`)
	numberRE = regexp.MustCompile(`\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|half)\b`)
)

func TestKindWordsAgreeWithTheirExpressions(t *testing.T) {
	texts := []string{
		"", "in 1990", "the 1990s", "1990s_", "a1990", "1990-2000", "in 999", "in 2100", "2099s", "20999",
		"May", "may", "Mayor", "in May.", "centuries", "century's", "centurys", "twenty-one", "someone",
		"half", "halfway", "one_", "_one", "é1", "éone", "٣ people", "１９９０", "x 12", "1990 and 7",
		"1066s", "2000s", "19901", "1990s1990", "December,", "Octobers", "Ten", "ten.", "millions",
		"3rd", "1st century", "2020s-style", "the year 1000.", "0999", "s", "ss",
	}
	pieces := []string{"1990", "2019", "1066", "s", "5", "May", "one", "ten", "century", "centuries", "_", "-", " ", ".", "é", "a", "half", "x", "20", "99", "٣"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(6) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	for _, s := range texts {
		if got, want := holdsTime(s), timeRE.MatchString(s); got != want {
			t.Errorf("holdsTime(%q) = %v, the expression %v", s, got, want)
		}
		if got, want := holdsNumber(s), numberRE.MatchString(yearRE.ReplaceAllString(s, " ")); got != want {
			t.Errorf("holdsNumber(%q) = %v, the expressions %v", s, got, want)
		}
	}
}

func BenchmarkHoldsTime(b *testing.B) {
	s := "the Mongols under Jebe marched secretly to the southeast part of Khwarezmia and took Samarkand after a siege "
	for b.Loop() {
		holdsTime(s)
		holdsNumber(s)
	}
}

func BenchmarkKindExpressions(b *testing.B) {
	s := "the Mongols under Jebe marched secretly to the southeast part of Khwarezmia and took Samarkand after a siege "
	for b.Loop() {
		timeRE.MatchString(s)
		numberRE.MatchString(yearRE.ReplaceAllString(s, " "))
	}
}
