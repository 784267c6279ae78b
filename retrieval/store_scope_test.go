package retrieval

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// poolOutsideScope are the Store methods that may use the pool directly: they touch no
// table that holds a collection's rows (embedding spaces, River's jobs), or they are the
// scopes themselves. A query of any other method runs through query, exec, inCollection or
// inAllCollections, or row-level security shows it nothing.
var poolOutsideScope = []string{
	"Close", "ensureSpace", "setSpaceIndex", "lookupSpace", "analyze", "dropOrphanIndexes", // embedding_spaces; owner's functions
	"inTx", "query", "onReplica", // the scopes themselves, and a read's choice of pool (store_replicas.go)
	"job", "jobCounts", "feedPollJobs", "orphanedJobs", "requeueOrphanedJob", // River's river_job
	"holdLock",                 // an advisory lock on a connection of its own
	"hasStandbys", "markWrite", // pg_stat_replication; write_marks through its function (store_standbys.go)
}

// replicaChecks are the methods of replicas (store_replicas.go) that query a pool directly:
// the check of a replica's replay position and lag, which reads no table.
var replicaChecks = []string{"refresh"}

// poolQueries are the methods of pgxpool.Pool that run statements.
var poolQueries = []string{"Query", "QueryRow", "Exec", "SendBatch", "Begin", "BeginTx", "CopyFrom", "Acquire", "AcquireFunc"}

// A query written straight on the pool would see nothing of a collection's rows under the
// runtime role, and everything under a superuser: its tests might pass as the one and the
// code fail as the other. So no Store method but those above reaches the pool.
func TestStoreQueriesRunInAScope(t *testing.T) {
	fset, files := packageSource(t)
	checked := 0
	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			checked++
			if slices.Contains(poolOutsideScope, fn.Name.Name) && isStoreMethod(fn) ||
				slices.Contains(replicaChecks, fn.Name.Name) && isMethodOf(fn, "replicas") {
				continue
			}
			store := isStoreMethod(fn)
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				// In a Store method any use of the pool; elsewhere (other types have a
				// field pool too: the outage tracer's) a query on one.
				inner, ok := sel.X.(*ast.SelectorExpr)
				if (store && sel.Sel.Name == "pool") || (!store && ok && inner.Sel.Name == "pool" && slices.Contains(poolQueries, sel.Sel.Name)) {
					t.Errorf("%s: %s uses the pool outside the scopes of store_scope.go (query, exec, inCollection, inAllCollections)",
						fset.Position(sel.Pos()), fn.Name.Name)
				}
				return true
			})
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d functions: the walk no longer finds the package's source", checked)
	}
}

// packageSource parses the package's own source files (its tests left out), for the tests
// that read its code.
func packageSource(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return fset, files
}

// isStoreMethod reports whether fn is a method of *Store.
func isStoreMethod(fn *ast.FuncDecl) bool { return isMethodOf(fn, "Store") }

// isMethodOf reports whether fn is a method of *typ.
func isMethodOf(fn *ast.FuncDecl, typ string) bool {
	if fn.Recv == nil || len(fn.Recv.List) != 1 {
		return false
	}
	star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == typ
}
