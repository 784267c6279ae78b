package answer

import "testing"

func TestStripLinks(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a plain link goes, the full stop after it stays", "Read http://evil.example/x.", "Read ."},
		{"a scheme glued to a digit goes", "Read 0http://evil.example now", "Read  now"},
		{"a scheme glued to an underscore goes", "Read _https://evil.example/a?b=c now", "Read  now"},
		{"a masked link keeps its text and loses its target", "[Click](0http://evil.example) here", "Click here"},
		{"a masked link with a space before its target leaves no brackets", "[click] (http://evil.example) here", "click here"},
		{"a marker before a remark in parentheses keeps the remark", "It opens [1] (the council said).", "It opens [1] (the council said)."},
		{"an empty masked link leaves no brackets", "Go [click] () now", "Go click now"},
		{"a link behind a marker keeps the marker", "It opens [1](https://evil.example).", "It opens [1]."},
		{"a defanged scheme goes", "See hxxp://evil.example and hxxps://evil.example", "See  and "},
		{"a host written with www goes", "Visit www.evil.example today", "Visit  today"},
		{"a bare host with a path goes", "Visit evil.example/login today", "Visit  today"},
		{"a bare host goes", "Visit evil.example.", "Visit ."},
		{"an autolink goes", "Visit <http://evil.example> now", "Visit  now"},
		{"a protocol-relative link goes", "Visit //evil.example/x now", "Visit  now"},
		{"a javascript link goes with its arguments", "Run javascript:alert(1) now", "Run  now"},
		{"a host with a bracketed dot goes", "Visit evil[.]com/login now", "Visit  now"},
		{"a host with a spelled-out dot goes", "Visit evil(dot)com now", "Visit  now"},
		{"an address with a path goes", "Visit 1.2.3.4/x now", "Visit  now"},
		{"an address with a port goes", "Visit 1.2.3.4:8080.", "Visit ."},
		{"a host in full-width letters goes", "Visit ｅｖｉｌ．ｃｏｍ now", "Visit  now"},
		{"a host with an ideographic full stop goes", "Visit evil。com now", "Visit  now"},
		{"a version number stays", "Version 1.2.3 ships with 4.5 times the speed.", "Version 1.2.3 ships with 4.5 times the speed."},
		{"an e-mail address goes", "Write to boss@evil.example.", "Write to ."},
		{"a link in parentheses goes with them", "It opens (https://evil.example/x) soon", "It opens soon"},
		{"a link that removing another one joins goes too", "Visit evil(http://a).com now", "Visit  now"},
		{"a host that removing a link joins goes too", "Go www(http://a).evil.example.", "Go ."},
		{"numbers, abbreviations and quotes stay", `It cost $1.2bn, e.g. in the U.S. "as planned" [2].`, `It cost $1.2bn, e.g. in the U.S. "as planned" [2].`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := stripLinks(tt.in)
			if got != tt.want {
				t.Errorf("stripLinks(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if wantN := tt.in != tt.want; (n > 0) != wantN {
				t.Errorf("stripLinks(%q) counted %d links", tt.in, n)
			}
		})
	}
}

func TestVerifyLeavesNoLinkBehind(t *testing.T) {
	// Verification cuts invalid markers and invented quotes; what stood around them closes
	// up and can spell a link the first stripLinks never saw.
	ps := testEvidence().Passages
	ps[0].Text += " Details are at the https evil example page."
	for _, tc := range []struct{ name, reply, want string }{
		{"a host joined by removing an invalid marker goes",
			"The council voted to extend the tram line to the council[9].airport [1].",
			"The council voted to extend the tram line to the [1]."},
		{"a scheme joined by removing invalid markers goes",
			"The council voted to extend the tram line, see ht[9]tps:[9]/[9]/evil.example [1].",
			"The council voted to extend the tram line, see [1]."},
		{"a host joined by cutting an invented quote goes",
			`The council voted to extend the tram line to the council"made up words here".airport [1].`,
			"The council voted to extend the tram line to the [1]."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ans, _ := verify(tc.reply, ps)
			if ans.Text != tc.want {
				t.Errorf("verify(%q) = %q, want %q", tc.reply, ans.Text, tc.want)
			}
		})
	}
}
