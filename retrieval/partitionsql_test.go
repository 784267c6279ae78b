package retrieval

import (
	"go/ast"
	"go/token"
	"regexp"
	"strings"
	"testing"
)

// partitionedTable matches a statement that reads or writes a table partitioned by
// collection (migrations 018 and 020).
var partitionedTable = regexp.MustCompile(`(?is)\b(UPDATE|DELETE\s+FROM|FROM|JOIN|INTO)\s+(articles|chunks|embeddings|term_stats|term_blocks)\b`)

// TestEveryStatementOnAPartitionedTableNamesItsCollection reads retrieval's SQL (each
// string literal, or each concatenation of literals and code) and checks that a statement
// on a table partitioned by collection names the collection. Row-level security already
// keeps a statement to its collection, but its condition is a setting the planner cannot
// prune partitions by: a statement by id alone probes every collection's partition, which
// costs nothing with a few large servers and a great deal with thousands (README,
// "Partitioning by collection").
func TestEveryStatementOnAPartitionedTableNamesItsCollection(t *testing.T) {
	fset, files := packageSource(t)
	checked := 0
	for _, af := range files {
		check := func(pos token.Pos, sql string) {
			if !partitionedTable.MatchString(sql) {
				return
			}
			checked++
			if !strings.Contains(sql, "collection") {
				t.Errorf("%s: a statement on a partitioned table that does not name the collection:\n%s", fset.Position(pos), sql)
			}
		}
		ast.Inspect(af, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if n.Op != token.ADD {
					return true
				}
				// A statement put together from pieces: its literals, in order.
				var sb strings.Builder
				ast.Inspect(n, func(m ast.Node) bool {
					if l, ok := m.(*ast.BasicLit); ok && l.Kind == token.STRING {
						sb.WriteString(l.Value)
					}
					return true
				})
				check(n.Pos(), sb.String())
				return false
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					check(n.Pos(), n.Value)
				}
			}
			return true
		})
	}
	if checked < 30 {
		t.Errorf("only %d statements on partitioned tables found: is the scan reading retrieval's SQL?", checked)
	}
}
