package redact

import "testing"

// Without its hints, every credential's expression runs on every text: masking must come
// out the same, for texts that hold each pattern, spelt in any case and with the letters
// (?i) folds from outside ASCII, and for texts that hold only some of a pattern's words.
func TestHintsNeverSkipAMatch(t *testing.T) {
	texts := []string{
		"authorization: Bot abc.def-unknown-token", `{"Authorization":"Bearer zzz"}`, "AUTHORIZATION=abc123def",
		"sent Bot NzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA.Ovy4MCQywSkoMRRclStW4xAYK7I", "BEARER eyJhbGciOiJIUzI1NiJ9.e30.abc",
		"dial postgres://footnote:pw@db:5432/footnote", "host=db PASSWORD='a b' passwd=x pwd=y",
		"https://news.example/a?API-KEY=abc&Access_Token=zz&apikey=q", "key sk-abcdefghijklmnopqrstuvwx",
		"paſſword=secret123 and paſswd=x", "api_\u212aey=abc", "The tram awaits authorization: officials expect it in May.",
		"bearer bonds and a robot, both", "mail me@example.com, see https://x.example", "password is long; key = value",
		"Bot\tNzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA", "bearer\nabc12345678", "BOT\rabcdef.12345", "Bearer\fxyz.abc.def",
		"robot\tabc123456789", "bot\u00a0abc12345678", "both bots:abc12345678",
		"",
	}
	plain := make([]credential, len(credentials))
	for i, c := range credentials {
		c.needs = nil
		plain[i] = c
	}
	r := New("a-configured-secret-value")
	for _, s := range texts {
		got := r.String(s)
		saved := credentials
		credentials = plain
		want := r.String(s)
		credentials = saved
		if got != want {
			t.Errorf("String(%q) = %q with hints, %q without", s, got, want)
		}
	}
	if r.String("paſſword=secret123") == "paſſword=secret123" {
		t.Error("a password spelt with a long s is not masked")
	}
}
