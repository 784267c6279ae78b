package retrieval

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/footnote-bot/footnote/retrieval/extract"
)

// ListArticles returns one page of the collection's articles, newest first, and how many
// match in all. A non-empty query keeps the articles whose title, site or URL contains it
// or whose text matches it as a web search. It fails only on a database error.
func (e *Engine) ListArticles(ctx context.Context, coll, query string, offset, limit int) ([]Article, int, error) {
	if limit <= 0 || limit > 100 {
		limit = 10
	}
	offset = max(offset, 0)
	query = strings.TrimSpace(cleanLine(query))
	out, total, err := e.store.listArticles(ctx, coll, query, offset, limit)
	if err == nil && len(out) == 0 && offset > 0 {
		// Past the last page: count anyway so the caller can say how many there are.
		_, total, err = e.store.listArticles(ctx, coll, query, 0, 1)
	}
	return out, total, err
}

// RemoveArticle deletes one article (by URL, canonicalised; a file's address as listed,
// path-escaped, or as a person types it, with spaces) with its passages and vectors.
// Only the member who added it or an admin may; others get ErrForbidden. An unknown URL is
// ErrNotFound.
func (e *Engine) RemoveArticle(ctx context.Context, coll, rawURL, requester string, admin bool) (*Article, error) {
	raw := strings.TrimSpace(rawURL)
	canon, err := extract.Canonical(raw)
	if err != nil {
		canon = raw // file:///name and other stored forms
	}
	a, err := e.store.deleteArticle(ctx, coll, append([]string{canon, raw}, fileURLForms(raw)...), func(a Article) error {
		if !admin && (a.AddedBy == "" || a.AddedBy != requester) {
			return fmt.Errorf("remove %s: %w: only the member who added it or an admin can", a.URL, ErrForbidden)
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("article %s: %w", rawURL, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// fileURLForms are the other spellings of a file's address raw: path-escaped, as footnote
// stores it ("my%20notes.md"), and unescaped, as a person types it ("my notes.md"). It is
// nil for an address that is not a file's.
func fileURLForms(raw string) []string {
	if !strings.HasPrefix(raw, "file:") {
		return nil
	}
	var out []string
	if u, err := url.Parse(raw); err == nil {
		out = append(out, u.String())
	}
	if p, err := url.PathUnescape(raw); err == nil {
		out = append(out, p)
	}
	return out
}
