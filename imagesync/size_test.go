package imagesync_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// Limits on the functions of imagesync and its store packages: a function
// that grows past them should be split along the steps it performs.
const (
	maxFuncLines      = 80
	maxFuncComplexity = 20
)

// TestFunctionSize keeps every function of the package (and of boltstore
// and storetest) short and simple enough to read, and checks that the
// increasing-subsequence arithmetic is not implemented again here: it
// lives in internal/order.
func TestFunctionSize(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "boltstore", "storetest"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				name := strings.ToLower(fd.Name.Name)
				if strings.Contains(name, "increasing") || strings.Contains(name, "longest") || name == "lis" {
					t.Errorf("%s: %s: use internal/order.HeaviestIncreasing", path, fd.Name.Name)
				}
				lines := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
				if c := complexity(fd.Body); lines > maxFuncLines || c > maxFuncComplexity {
					t.Errorf("%s: %s has %d lines and cyclomatic complexity %d (at most %d and %d)", path, fd.Name.Name, lines, c, maxFuncLines, maxFuncComplexity)
				}
			}
		}
	}
}

// complexity is the cyclomatic complexity of a function body: one, plus
// one per branch (if, loop, non-default case, && and ||).
func complexity(body *ast.BlockStmt) int {
	c := 1
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt:
			c++
		case *ast.CaseClause:
			if x.List != nil {
				c++
			}
		case *ast.CommClause:
			if x.Comm != nil {
				c++
			}
		case *ast.BinaryExpr:
			if x.Op == token.LAND || x.Op == token.LOR {
				c++
			}
		}
		return true
	})
	return c
}
