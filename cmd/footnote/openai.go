package main

import (
	"fmt"
	"net/http"

	"github.com/footnote-bot/footnote/retrieval/oai"
)

// probeError is the one line `footnote` prints when the embedding server did not give the
// test embedding that tells footnote the vectors' length: what failed, where, and the fix
// for its cause.
func probeError(c Config, err error) error {
	base := c.OpenAIBaseURL
	if base == "" {
		base = oai.DefaultBaseURL + " (the default)"
	}
	fix := "start the embedding server, or correct OPENAI_BASE_URL"
	if code, ok := oai.StatusCode(err); ok {
		switch code {
		case http.StatusUnauthorized, http.StatusForbidden:
			fix = "check OPENAI_API_KEY"
		case http.StatusNotFound:
			fix = "check that the server has FOOTNOTE_EMBED_MODEL and that OPENAI_BASE_URL ends in /v1"
		}
	}
	return fmt.Errorf("cannot get a test embedding of FOOTNOTE_EMBED_MODEL %s from OPENAI_BASE_URL %s: %w; %s",
		c.EmbedModel, base, err, fix)
}
