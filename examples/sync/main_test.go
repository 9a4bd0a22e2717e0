package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSync runs the whole program: every step happens, the interrupted add
// is adopted on the next run, and the recovered product has exactly the
// source's images.
func TestSync(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), &out, 20, filepath.Join(t.TempDir(), "sync.db")); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"-- 20 products: 20 applied, 0 skipped, 0 failed",
		"   ... 20 of 20 products done, ",
		"plan for threedcart/",
		"-- 20 products: 0 applied, 20 skipped, 0 failed; 0 writes", // the dry run
		"202: failed:",
		"202: 0 writes: adopt",
		"drift: delete",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	m := regexp.MustCompile(`product 202 on 3dcart has (\d+) images, its source (\d+)`).FindStringSubmatch(got)
	if m == nil || m[1] != m[2] {
		t.Errorf("recovered product: %v\n%s", m, got)
	}
}
