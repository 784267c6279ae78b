package main

import (
	"strings"
	"testing"
)

// `footnote gaps` lists the questions footnote abstained on, the same question once with
// how often it was asked, and refuses a bad --limit or --since.
func TestCLIGaps(t *testing.T) {
	c, coll, _ := importedCLI(t)
	out, _ := c.must(t, "", "gaps", "--collection", coll)
	if !strings.HasPrefix(out, "no gaps") {
		t.Errorf("gaps before any question = %q; want no gaps", out)
	}
	for _, q := range []string{"How many moons does Neptune have?", "how many moons does Neptune have"} {
		c.must(t, "", "ask", "--collection", coll, q)
	}
	out, _ = c.must(t, "", "gaps", "--collection", coll, "--json")
	lines := jsonLines(t, out)
	if len(lines) != 1 || lines[0]["asked"] != float64(2) || lines[0]["not_covered"] != float64(2) ||
		lines[0]["question"] != "how many moons does Neptune have" || lines[0]["last"] == "" {
		t.Errorf("gaps --json = %v; want the Neptune question once, asked twice", lines)
	}
	out, _ = c.must(t, "", "gaps", "--collection", coll)
	if !strings.Contains(out, "2× how many moons does Neptune have") || !strings.Contains(out, "not covered 2×") {
		t.Errorf("gaps = %q", out)
	}
	for _, args := range [][]string{{"--limit", "0"}, {"--limit", "201"}, {"--since", "yesterday"}} {
		if _, _, err := c.run(t, "", append([]string{"gaps", "--collection", coll}, args...)...); err == nil || exitCode(err) != 1 {
			t.Errorf("gaps %v = %v (exit %d); want a refusal", args, err, exitCode(err))
		}
	}
}
