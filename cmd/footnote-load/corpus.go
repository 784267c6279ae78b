package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"
)

// corpus is what the load asks about: the first n articles of an import file (written to a
// file of their own for `footnote import`) and questions, from a questions file and from
// the articles' titles, interleaved so that answers that quote and answers that abstain
// (the questions file's topics need not be in the articles) both come up.
type corpus struct {
	articles  int
	questions []string
}

// buildCorpus writes the first n lines of articlesPath that hold an article to outPath,
// and collects the questions: every `question` of questionsPath ("" for none) and one per
// article title.
func buildCorpus(articlesPath string, n int, questionsPath, outPath string) (*corpus, error) {
	in, err := os.Open(articlesPath)
	if err != nil {
		return nil, fmt.Errorf("open the articles: %w", err)
	}
	defer in.Close()
	out, err := os.Create(outPath)
	if err != nil {
		return nil, fmt.Errorf("write the load's articles: %w", err)
	}
	defer out.Close()
	w := bufio.NewWriter(out)
	c := &corpus{}
	var titles []string
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() && c.articles < n {
		var a struct{ Title, Text string }
		if json.Unmarshal(sc.Bytes(), &a) != nil || strings.TrimSpace(a.Text) == "" {
			continue
		}
		if _, err := w.Write(append(sc.Bytes(), '\n')); err != nil {
			return nil, fmt.Errorf("write the load's articles: %w", err)
		}
		c.articles++
		if t := strings.TrimSpace(a.Title); t != "" {
			titles = append(titles, titleQuestion(t))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", articlesPath, err)
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("write the load's articles: %w", err)
	}
	if c.articles < n {
		return nil, fmt.Errorf("%s holds %d articles, fewer than the %d asked for", articlesPath, c.articles, n)
	}
	var asked []string
	if questionsPath != "" {
		if asked, err = readQuestions(questionsPath); err != nil {
			return nil, err
		}
	}
	for i := 0; i < max(len(asked), len(titles)); i++ {
		if i < len(asked) {
			c.questions = append(c.questions, asked[i])
		}
		if i < len(titles) {
			c.questions = append(c.questions, titles[i])
		}
	}
	if len(c.questions) == 0 {
		return nil, fmt.Errorf("no questions: the articles have no titles and no questions file was given")
	}
	return c, nil
}

// titleQuestion turns a headline into what a member might ask about it.
func titleQuestion(title string) string {
	r, size := utf8.DecodeRuneInString(title)
	// Keep acronyms and names ("US", "Blair") as they are.
	if len(title) > size {
		if next, _ := utf8.DecodeRuneInString(title[size:]); unicode.IsLower(next) {
			title = string(unicode.ToLower(r)) + title[size:]
		}
	}
	return "What happened with " + strings.TrimRight(title, ".?! ") + "?"
}

// readQuestions returns the `question` of every line of a questions file.
func readQuestions(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open the questions: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var q struct{ Question string }
		if json.Unmarshal(sc.Bytes(), &q) == nil && strings.TrimSpace(q.Question) != "" {
			out = append(out, q.Question)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}
