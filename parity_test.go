package shopimg_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vendorPackages are the platform packages of the module.
var vendorPackages = []string{"bigcommerce", "threedcart", "salla", "shoptet", "finerworks"}

// commonOptions are the options every vendor client has, each onto the same
// setting of the HTTP core.
var commonOptions = []string{"WithBaseURL", "WithHTTPClient", "WithRetry", "WithLogger", "WithClock", "WithUserAgent", "WithMaxErrorBody", "WithMaxBody"}

// TestVendorParity reads every vendor package's source and checks it has
// the shape every vendor shares: NewClient, the common options, the
// APIError and Response aliases of the root types, String and GoString on
// Client, and ProductImages.
func TestVendorParity(t *testing.T) {
	t.Parallel()
	found := 0
	for _, pkg := range vendorPackages {
		if _, err := os.Stat(pkg); err != nil {
			continue // a platform not built yet
		}
		found++
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			funcs, methods, aliases := declarations(t, pkg)
			for _, want := range append([]string{"NewClient"}, commonOptions...) {
				if !funcs[want] {
					t.Errorf("%s has no func %s", pkg, want)
				}
			}
			for _, want := range []string{"Client.String", "Client.GoString", "Client.ProductImages"} {
				if !methods[want] {
					t.Errorf("%s has no method %s", pkg, want)
				}
			}
			for name, target := range map[string]string{"APIError": "shopimg.APIError", "Response": "shopimg.Response"} {
				if aliases[name] != target {
					t.Errorf("%s: %s is %q, want an alias of %s", pkg, name, aliases[name], target)
				}
			}
		})
	}
	if found < 2 {
		t.Fatalf("found %d vendor packages, want at least 2", found)
	}
}

// declarations returns the exported funcs, methods ("Type.Name") and type
// aliases (name -> "pkg.Type") of the non-test files of dir.
func declarations(t *testing.T, dir string) (funcs, methods map[string]bool, aliases map[string]string) {
	t.Helper()
	funcs, methods, aliases = map[string]bool{}, map[string]bool{}, map[string]string{}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv == nil {
					funcs[d.Name.Name] = true
					continue
				}
				typ := d.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				if id, ok := typ.(*ast.Ident); ok {
					methods[id.Name+"."+d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok || !ts.Assign.IsValid() {
						continue
					}
					if sel, ok := ts.Type.(*ast.SelectorExpr); ok {
						if x, ok := sel.X.(*ast.Ident); ok {
							aliases[ts.Name.Name] = x.Name + "." + sel.Sel.Name
						}
					}
				}
			}
		}
	}
	return funcs, methods, aliases
}
