package main

import (
	"fmt"
	"strings"
)

// readURLs splits DATABASE_READ_URL into its URLs and checks each: a comma starts a new
// URL only before postgres:// or postgresql://, so a URL naming several hosts
// (postgres://a,b/db, which libpq tries in turn) stays one replica. "" is none.
func readURLs(v string) ([]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var out []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if len(out) > 0 && !strings.HasPrefix(part, "postgres://") && !strings.HasPrefix(part, "postgresql://") {
			out[len(out)-1] += "," + part
			continue
		}
		out = append(out, part)
	}
	for i, u := range out {
		name := "DATABASE_READ_URL"
		if len(out) > 1 {
			name = fmt.Sprintf("DATABASE_READ_URL (URL %d of %d)", i+1, len(out))
		}
		if err := checkDatabaseURL(name, u); err != nil {
			return nil, err
		}
	}
	return out, nil
}
