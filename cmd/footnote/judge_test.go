package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
)

// fakeJudgeServer speaks the OpenAI embeddings wire format, as cmd/footnote-judge does: the
// question's and the quote's vectors stand at cosine 0.6. It records each request's model
// and inputs.
func fakeJudgeServer(t *testing.T) (*httptest.Server, func() [][]string, func() []string) {
	var mu sync.Mutex
	var inputs [][]string
	var models []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
			http.Error(w, `{"error":{"message":"not here"}}`, http.StatusNotFound)
			return
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
			return
		}
		mu.Lock()
		inputs, models = append(inputs, req.Input), append(models, req.Model)
		mu.Unlock()
		type item struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		var data []item
		for i := range req.Input {
			v := []float32{1, 0}
			if i%2 == 1 {
				v = []float32{0.6, 0.8}
			}
			data = append(data, item{"embedding", i, v})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": req.Model, "data": data,
			"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
	}))
	t.Cleanup(srv.Close)
	return srv, func() [][]string { mu.Lock(); defer mu.Unlock(); return inputs }, func() []string { mu.Lock(); defer mu.Unlock(); return models }
}

func TestJudgeOverTheWire(t *testing.T) {
	srv, inputs, models := fakeJudgeServer(t)
	c, coll, dir := importedCLI(t)
	c.env["FOOTNOTE_JUDGE_URL"] = srv.URL + "/v1"
	q := "When will the Westfield tram extension open?"
	qfile := filepath.Join(dir, "judged.jsonl")
	qs := `{"id":"e1","question":"` + q + `","answers":["March 2027"],"evidences":[],"url":"` + tramURL + `"}` + "\n"
	if err := os.WriteFile(qfile, []byte(qs), 0o644); err != nil {
		t.Fatal(err)
	}
	sfile := filepath.Join(dir, "judged-signals.jsonl")
	c.must(t, "", "eval", "--collection", coll, "--questions", qfile, "--signals", sfile)
	lines, err := readSignals(sfile)
	if err != nil || len(lines) != 1 || lines[0].Signals == nil {
		t.Fatalf("signals: %+v, %v; want one quoted line", lines, err)
	}
	if s := lines[0].Signals; !s.Judged || s.Semantic < 0.599 || s.Semantic > 0.601 {
		t.Errorf("signals %+v: want judged, with the server's cosine 0.6", s)
	}
	in, ms := inputs(), models()
	if len(in) != 1 || len(in[0]) != 2 || in[0][0] != q || !strings.Contains(in[0][1], "March 2027") || ms[0] != retrieval.JudgeModel {
		t.Errorf("the judge got models %q and inputs %q: want %s, the question and the quote", ms, in, retrieval.JudgeModel)
	}

	t.Run("another encoder than the one the check was fitted for is refused at start", func(t *testing.T) {
		c.env["FOOTNOTE_JUDGE_MODEL"] = "text-embedding-3-small"
		defer delete(c.env, "FOOTNOTE_JUDGE_MODEL")
		_, _, err := c.run(t, "", "ask", "--collection", coll, q)
		if err == nil || !strings.Contains(err.Error(), `FOOTNOTE_JUDGE_MODEL: "text-embedding-3-small" is not "use-lite"`) {
			t.Errorf("ask with another judge model: %v; want the refusal", err)
		}
	})
	t.Run("a judge URL that is no web address is refused at start", func(t *testing.T) {
		c.env["FOOTNOTE_JUDGE_URL"] = "localhost:8089"
		defer func() { c.env["FOOTNOTE_JUDGE_URL"] = srv.URL + "/v1" }()
		_, _, err := c.run(t, "", "ask", "--collection", coll, q)
		if err == nil || !strings.Contains(err.Error(), "FOOTNOTE_JUDGE_URL: not a web address") {
			t.Errorf("ask with a bad judge URL: %v; want the refusal", err)
		}
	})
}
