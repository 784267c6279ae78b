package bot

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// previewHTML draws messages as Discord's dark theme shows them, in one self-contained
// HTML page: the "used /ask" line, footnote's name, then each message's content, embeds
// (colour bar, title, description, fields, footer) and components. It reads the message
// bodies footnote sent (the recorded JSON), so the picture is of the real payload. Markdown
// is rendered only as far as footnote writes it: backslash escapes, **bold**, *italic*,
// [text](url) links, > quotes and <t:unix:D> dates.
func previewHTML(user, command string, msgs []call) string {
	var b strings.Builder
	b.WriteString(previewHead)
	fmt.Fprintf(&b, `<div class="ctx"><span class="ctx-line"></span><b>%s</b> used <span class="cmd">%s</span></div>
<div class="msg"><div class="avatar">f</div><div class="body">
<div class="hdr"><b>footnote</b><span class="app">APP</span><span class="when">Today at 09:41</span></div>
`, html.EscapeString(user), html.EscapeString(command))
	for _, m := range msgs {
		b.WriteString(`<div class="one">`)
		if c := m.str("content"); c != "" {
			fmt.Fprintf(&b, "<div class=\"content\">%s</div>\n", markdownHTML(c))
		}
		for _, e := range m.embeds() {
			b.WriteString(embedHTML(e))
		}
		b.WriteString(componentsHTML(m.Body["components"]))
		b.WriteString("</div>\n")
	}
	b.WriteString("</div></div>\n</body>\n</html>\n")
	return b.String()
}

// embedHTML draws one embed.
func embedHTML(e map[string]any) string {
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	bar := "#1e1f22" // Discord's bar for an embed without a colour
	if c, ok := e["color"].(float64); ok {
		bar = fmt.Sprintf("#%06x", int(c))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="embed" style="border-left-color:%s">`, bar)
	if a, ok := e["author"].(map[string]any); ok {
		fmt.Fprintf(&b, `<div class="author">%s</div>`, markdownHTML(str(a, "name")))
	}
	if t := str(e, "title"); t != "" {
		title := inlineHTML(t)
		if u := str(e, "url"); u != "" {
			title = fmt.Sprintf(`<a href="%s">%s</a>`, html.EscapeString(u), title)
		}
		fmt.Fprintf(&b, `<div class="title">%s</div>`, title)
	}
	if d := str(e, "description"); d != "" {
		fmt.Fprintf(&b, `<div class="desc">%s</div>`, markdownHTML(d))
	}
	fields, _ := e["fields"].([]any)
	for _, f := range fields {
		fm, _ := f.(map[string]any)
		fmt.Fprintf(&b, `<div class="field"><div class="fname">%s</div><div>%s</div></div>`,
			inlineHTML(str(fm, "name")), markdownHTML(str(fm, "value")))
	}
	if f, ok := e["footer"].(map[string]any); ok {
		fmt.Fprintf(&b, `<div class="footer">%s</div>`, html.EscapeString(str(f, "text")))
	}
	b.WriteString("</div>\n")
	return b.String()
}

// buttonClass maps a Discord button style (1 primary … 5 link) to its CSS class.
var buttonClass = map[int]string{1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link"}

// componentsHTML draws a message's action rows: buttons and select menus.
func componentsHTML(v any) string {
	rows, _ := v.([]any)
	var b strings.Builder
	for _, r := range rows {
		row, _ := r.(map[string]any)
		comps, _ := row["components"].([]any)
		b.WriteString(`<div class="row">`)
		for _, c := range comps {
			m, _ := c.(map[string]any)
			label, _ := m["label"].(string)
			if t, _ := m["type"].(float64); t != 2 { // a select menu
				p, _ := m["placeholder"].(string)
				fmt.Fprintf(&b, `<span class="select">%s<span class="chev">⌄</span></span>`, html.EscapeString(p))
				continue
			}
			style, _ := m["style"].(float64)
			emoji := ""
			if e, ok := m["emoji"].(map[string]any); ok {
				name, _ := e["name"].(string)
				emoji = `<span class="emoji">` + html.EscapeString(name) + `</span>`
			}
			if style == 5 {
				label += " ↗"
			}
			fmt.Fprintf(&b, `<span class="btn %s">%s%s</span>`, buttonClass[int(style)], emoji, html.EscapeString(label))
		}
		b.WriteString("</div>\n")
	}
	return b.String()
}

// markdownHTML renders text line by line: runs of "> " lines become one quote block.
func markdownHTML(s string) string {
	var b strings.Builder
	var quote []string
	flush := func() {
		if quote != nil {
			fmt.Fprintf(&b, `<div class="quote">%s</div>`, strings.Join(quote, "<br>"))
			quote = nil
		}
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if rest, ok := strings.CutPrefix(line, "> "); ok || line == ">" {
			if quote == nil { // the quote is a block: the line before needs no break of its own
				out := strings.TrimSuffix(b.String(), "<br>")
				b.Reset()
				b.WriteString(out)
			}
			quote = append(quote, inlineHTML(rest))
			continue
		}
		if quote != nil {
			flush()
			if line == "" { // Discord draws no blank line right after a quote
				continue
			}
		}
		b.WriteString(inlineHTML(line))
		if i < len(lines)-1 {
			b.WriteString("<br>")
		}
	}
	flush()
	return b.String()
}

// inlineRE matches, in order of preference, the inline markup footnote writes.
var inlineRE = regexp.MustCompile(`\\([^A-Za-z0-9\s])|<t:(-?\d+):[tTdDfFR]>|\[((?:\\.|[^\]\\])*)\]\((https?://[^)\s]+)\)|\*\*|\*`)

// inlineHTML renders one line's inline markdown; an unclosed ** or * is closed at its end.
func inlineHTML(s string) string {
	var b strings.Builder
	bold, italic := false, false
	last := 0
	for _, m := range inlineRE.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(html.EscapeString(s[last:m[0]]))
		last = m[1]
		switch tok := s[m[0]:m[1]]; {
		case m[2] >= 0: // \x: x as it is
			b.WriteString(html.EscapeString(s[m[2]:m[3]]))
		case m[4] >= 0: // <t:unix:D>: the date in the reader's time zone (here UTC)
			unix, _ := strconv.ParseInt(s[m[4]:m[5]], 10, 64)
			fmt.Fprintf(&b, `<span class="ts">%s</span>`, time.Unix(unix, 0).UTC().Format("January 2, 2006"))
		case m[6] >= 0: // [text](url)
			fmt.Fprintf(&b, `<a href="%s">%s</a>`, html.EscapeString(s[m[8]:m[9]]), inlineHTML(s[m[6]:m[7]]))
		case tok == "**":
			b.WriteString(map[bool]string{false: "<strong>", true: "</strong>"}[bold])
			bold = !bold
		default: // "*"
			b.WriteString(map[bool]string{false: "<em>", true: "</em>"}[italic])
			italic = !italic
		}
	}
	b.WriteString(html.EscapeString(s[last:]))
	if italic {
		b.WriteString("</em>")
	}
	if bold {
		b.WriteString("</strong>")
	}
	return b.String()
}

// previewHead is the page's start: Discord's dark theme colours, sizes and fonts.
const previewHead = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>An answer from footnote in Discord</title>
<!-- Written by TestAnswerPreview (bot/preview_test.go) from the payload footnote sends; run make docs. -->
<style>
body { margin: 0; padding: 16px 16px 24px 0; background: #313338; color: #dbdee1;
  font: 16px/1.375 "gg sans", "Noto Sans", "Helvetica Neue", Helvetica, Arial, sans-serif; }
a { color: #00a8fc; text-decoration: none; }
.ctx { margin-left: 72px; font-size: 14px; color: #b5bac1; position: relative; }
.ctx-line { position: absolute; left: -36px; top: 9px; width: 30px; height: 10px;
  border-left: 2px solid #4e5058; border-top: 2px solid #4e5058; border-top-left-radius: 6px; }
.ctx b { color: #f2f3f5; font-weight: 500; }
.cmd { color: #00a8fc; }
.msg { display: flex; margin-top: 4px; }
.avatar { flex: none; width: 40px; height: 40px; margin: 2px 16px 0 16px; border-radius: 50%;
  background: #5865f2; color: #fff; font: 600 22px/40px Georgia, serif; text-align: center; }
.body { min-width: 0; flex: 1; }
.hdr b { color: #f2f3f5; font-weight: 500; }
.app { background: #5865f2; color: #fff; font-size: 10px; font-weight: 600; border-radius: 3px;
  padding: 1px 4px; margin-left: 4px; vertical-align: 2px; }
.when { color: #949ba4; font-size: 12px; margin-left: 8px; }
.one + .one { margin-top: 8px; }
.content { white-space: normal; overflow-wrap: anywhere; }
.embed { max-width: 520px; margin-top: 8px; background: #2b2d31; border-left: 4px solid;
  border-radius: 4px; padding: 8px 16px 16px 12px; font-size: 14px; line-height: 1.29; }
.author { font-weight: 600; margin-top: 8px; color: #f2f3f5; }
.title { font-weight: 600; font-size: 16px; margin-top: 8px; }
.desc, .field { margin-top: 8px; }
.fname { font-weight: 600; color: #f2f3f5; }
.footer { margin-top: 8px; font-size: 12px; color: #b5bac1; }
.quote { border-left: 4px solid #4e5058; padding: 0 8px 0 12px; margin: 4px 0; }
.ts { background: rgba(255,255,255,.06); border-radius: 3px; padding: 0 2px; }
.row { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.btn { display: inline-flex; align-items: center; gap: 4px; height: 32px; padding: 0 16px;
  border-radius: 3px; color: #fff; font-size: 14px; font-weight: 500; }
.btn.primary { background: #5865f2; } .btn.secondary, .btn.link { background: #4e5058; }
.btn.success { background: #248046; } .btn.danger { background: #da373c; }
.emoji { font-size: 16px; }
.select { display: inline-flex; justify-content: space-between; width: 400px; padding: 8px;
  background: #1e1f22; border-radius: 4px; color: #949ba4; }
strong { font-weight: 700; color: #f2f3f5; }
</style>
</head>
<body>
`

func TestPreviewMarkdown(t *testing.T) {
	for in, want := range map[string]string{
		`a \*b\* **c** *d*`:                `a *b* <strong>c</strong> <em>d</em>`,
		"x · <t:1714651200:D>":             `x · <span class="ts">May 2, 2024</span>`,
		"before\n\n> **[1]** q\n\n> two":   `before<br><div class="quote"><strong>[1]</strong> q</div><div class="quote">two</div>`,
		`[a \[b\] \*](https://x.example/)`: `<a href="https://x.example/">a [b] *</a>`,
		"1 < 2 & **open":                   `1 &lt; 2 &amp; <strong>open</strong>`,
	} {
		if got := markdownHTML(in); got != want {
			t.Errorf("markdownHTML(%q) =\n  %s\nwant\n  %s", in, got, want)
		}
	}
}
