package retrieval

import (
	"net/url"
	"os"
	"path/filepath"
)

// DefaultPGPort is the port of the cluster `make db` starts (.ci/db), away from a system
// cluster's 5432. FOOTNOTE_PGPORT moves it, for .ci/db and for these defaults alike.
const DefaultPGPort = "55432"

// The roles of the cluster `make db` starts. LocalOwnerRole owns footnote's databases and
// tables and runs the migrations; LocalRuntimeRole is the role footnote's processes work
// as: it may read and write rows, only those of the collection at hand (row-level
// security), and change no table (migration 015).
const (
	LocalOwnerRole   = "footnote"
	LocalRuntimeRole = "footnote_app"
)

// LocalPassfile is where .ci/db keeps the passwords it generated for its cluster's roles:
// a pgpass file (mode 0600) in the checkout, never committed (.data/ is ignored).
const LocalPassfile = ".data/pgpass"

// LocalDatabaseURL returns the URL of database db on the cluster `make db` starts, as the
// runtime role: 127.0.0.1, port FOOTNOTE_PGPORT (read through getenv) or DefaultPGPort,
// the password from LocalPassfile (see localURL). It is the one place the binary's default
// DATABASE_URL and the tests' default database come from.
func LocalDatabaseURL(getenv func(string) string, db string) string {
	return localURL(getenv, LocalRuntimeRole, db)
}

// LocalOwnerURL is LocalDatabaseURL as the owner role: the binary's default
// DATABASE_OWNER_URL (migrations) and the tests' owner.
func LocalOwnerURL(getenv func(string) string, db string) string {
	return localURL(getenv, LocalOwnerRole, db)
}

// localURL returns user's URL of database db on the local cluster. Its password is read,
// when the connection is made, from the pgpass file PGPASSFILE names (pgx's own rule);
// without PGPASSFILE, from the LocalPassfile of the first directory, from the working
// directory up, that has one (so the binary finds it from the checkout and tests from
// their package directory); without either, from ~/.pgpass.
func localURL(getenv func(string) string, user, db string) string {
	port := getenv("FOOTNOTE_PGPORT")
	if port == "" {
		port = DefaultPGPort
	}
	u := "postgres://" + user + "@127.0.0.1:" + port + "/" + db + "?sslmode=disable"
	if getenv("PGPASSFILE") == "" {
		if pf := findPassfile(); pf != "" {
			u += "&passfile=" + url.QueryEscape(pf)
		}
	}
	return u
}

// findPassfile returns the path of LocalPassfile in the working directory or the nearest
// of its parents that has one, or "" when none has.
func findPassfile() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, LocalPassfile)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
