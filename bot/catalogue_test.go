package bot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sourceKeys reads the package's source for the catalogue keys footnote writes: the
// literal first argument of every tr and trf call (messages) and the two literal forms of
// every trn call (plurals, by their "other" form, with their "one" form). It fails the
// test on a call whose key is not a literal, which no test could check.
func sourceKeys(t *testing.T) (messages map[string]bool, plurals map[string]string) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	messages, plurals = map[string]bool{}, map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "tr" && sel.Sel.Name != "trf" && sel.Sel.Name != "trn") {
				return true
			}
			lit := func(i int) (string, bool) {
				if i >= len(call.Args) {
					return "", false
				}
				return stringConstant(call.Args[i])
			}
			switch sel.Sel.Name {
			case "trn":
				one, ok1 := lit(1)
				other, ok2 := lit(2)
				if !ok1 || !ok2 {
					t.Errorf("%s: trn with forms that are not literals", fset.Position(call.Pos()))
					return true
				}
				plurals[other] = one
			default:
				key, ok := lit(0)
				if !ok {
					if !variableKeyCall(fset.Position(call.Pos()).Filename) {
						t.Errorf("%s: %s with a key that is not a literal", fset.Position(call.Pos()), sel.Sel.Name)
					}
					return true
				}
				messages[key] = true
			}
			return true
		})
	}
	// Keys passed as variables, from the tables that hold them.
	for _, p := range permNames {
		messages[p.name] = true
	}
	for _, r := range reasons {
		messages[r.Label], messages[r.Description] = true, true
	}
	return messages, plurals
}

// variableKeyCall reports whether a tr call with a variable key is allowed in file: where
// the keys come from tables sourceKeys reads.
func variableKeyCall(file string) bool {
	return file == "locale.go" || file == "perms.go" || file == "feedbackmodal.go" || file == "components.go"
}

// stringConstant is the value of a string literal, or of literals joined with +.
func stringConstant(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := stringConstant(e.X)
		b, ok2 := stringConstant(e.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return stringConstant(e.X)
	}
	return "", false
}

// verbRE matches a fmt verb, with an explicit argument index or not.
var verbRE = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)

// verbs is the set of "argument:verb" a format uses, arguments numbered from 1.
func verbs(format string) []string {
	set := map[string]bool{}
	arg := 1
	for _, m := range verbRE.FindAllStringSubmatch(format, -1) {
		if m[2] == "%" {
			continue
		}
		if m[1] != "" {
			arg, _ = strconv.Atoi(m[1])
		}
		set[strconv.Itoa(arg)+":"+m[2]] = true
		arg++
	}
	return slices.Sorted(maps.Keys(set))
}

// slashRE finds a command named in footnote's text: "/name" after a space, a line's start
// or an opening quote or bracket.
var slashRE = regexp.MustCompile(`(?:^|[\s(（„“«「『"'])/([\p{L}\p{N}_-]+)`)

// optionRE finds an option named in footnote's text: "name:" after a space, a line's
// start or an opening bracket.
var optionRE = regexp.MustCompile(`(?:^|[\s(（\[])([\p{L}_-]+):`)

func TestCatalogues(t *testing.T) {
	messages, plurals := sourceKeys(t)
	if len(messages) < 50 || len(plurals) < 10 {
		t.Fatalf("found %d messages and %d plurals in the source: the scan is broken", len(messages), len(plurals))
	}
	commands, options := map[string]bool{}, map[string]bool{}
	for _, c := range newHarness(t, newFakeEngine()).bot.applicationCommands() {
		commands[c.Name] = true
		for _, o := range c.Options {
			options[c.Name+"."+o.Name] = true
		}
	}
	t.Run("the English text names only commands that exist", func(t *testing.T) {
		for _, key := range append(slices.Collect(maps.Keys(messages)), slices.Collect(maps.Keys(plurals))...) {
			for _, m := range slashRE.FindAllStringSubmatch(key, -1) {
				if !commands[m[1]] {
					t.Errorf("%q names /%s, which is no command", key, m[1])
				}
			}
		}
	})
	for _, l := range slices.Sorted(slices.Values(languages())) {
		c := catalogues[string(l)]
		// A command named in a translation must carry the name members of that language see.
		names := map[string]bool{}
		for key, ct := range c.Commands {
			if commands[key] {
				names[ct.Name] = true
			}
		}
		// So must an option: an English option name before a colon is one left untranslated.
		optNames := map[string][]string{} // English option name → this language's names for it
		for key := range options {
			_, opt, _ := strings.Cut(key, ".")
			optNames[opt] = append(optNames[opt], c.Commands[key].Name)
		}
		checkNames := func(t *testing.T, key, text string) {
			for _, m := range slashRE.FindAllStringSubmatch(text, -1) {
				if !names[m[1]] {
					t.Errorf("%q names /%s, which is no %s command name:\n%s", key, m[1], l, text)
				}
			}
			for _, m := range optionRE.FindAllStringSubmatch(text, -1) {
				if local, ok := optNames[m[1]]; ok && !slices.Contains(local, m[1]) {
					t.Errorf("%q names the option %s: in English, not as %s members see it (%v):\n%s", key, m[1], l, local, text)
				}
			}
		}
		t.Run(string(l)+" translates every line footnote writes, with the same arguments and its own command names", func(t *testing.T) {
			for _, key := range slices.Sorted(maps.Keys(messages)) {
				tr, ok := c.Messages[key]
				if !ok {
					t.Errorf("missing message %q", key)
					continue
				}
				if got, want := verbs(tr), verbs(key); !slices.Equal(got, want) {
					t.Errorf("%q: arguments %v, want %v:\n%s", key, got, want, tr)
				}
				checkNames(t, key, tr)
			}
			for _, other := range slices.Sorted(maps.Keys(plurals)) {
				forms, ok := c.Plurals[other]
				if !ok {
					t.Errorf("missing plural %q", other)
					continue
				}
				for _, form := range pluralForms(l) {
					tr, ok := forms[form]
					if !ok {
						t.Errorf("plural %q lacks its %q form", other, form)
						continue
					}
					if got, want := verbs(tr), verbs(other); !slices.Equal(got, want) {
						t.Errorf("%q (%s): arguments %v, want %v:\n%s", other, form, got, want, tr)
					}
					checkNames(t, other, tr)
				}
			}
		})
		t.Run(string(l)+" holds no line footnote no longer writes", func(t *testing.T) {
			for key := range c.Messages {
				if !messages[key] {
					t.Errorf("stale message %q", key)
				}
			}
			for key := range c.Plurals {
				if _, ok := plurals[key]; !ok {
					t.Errorf("stale plural %q", key)
				}
			}
		})
	}
}

// pluralForms are the forms a language's plurals must give in a catalogue.
func pluralForms(l lang) []string {
	switch l {
	case "ja":
		return []string{"other"}
	case "pl":
		return []string{"one", "few", "many"}
	}
	return []string{"one", "other"}
}

func TestPluralForms(t *testing.T) {
	for _, tc := range []struct {
		lang lang
		n    int
		want string
	}{
		{"", 1, "one"}, {"", 0, "other"}, {"de", 2, "other"},
		{"fr", 0, "one"}, {"fr", 1, "one"}, {"fr", 2, "other"}, {"pt", 0, "one"},
		{"pl", 1, "one"}, {"pl", 3, "few"}, {"pl", 5, "many"}, {"pl", 12, "many"}, {"pl", 22, "few"}, {"pl", 0, "many"},
		{"ja", 1, "other"},
	} {
		t.Run(strconv.Itoa(tc.n)+" in "+string(tc.lang)+" takes the "+tc.want+" form", func(t *testing.T) {
			if got := pluralForm(tc.lang, tc.n); got != tc.want {
				t.Errorf("pluralForm = %q", got)
			}
		})
	}
}
