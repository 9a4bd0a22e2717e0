package benchcmp_test

import (
	"errors"
	"flag"
	"testing"

	"github.com/shopimg/shopimg/internal/benchcmp"
)

var sink []byte

// TestCompare runs Compare under testing.Benchmark with a fixed count of
// iterations (so it takes no measurable time) and checks its figures.
func TestCompare(t *testing.T) {
	// Not parallel: it sets the package's benchtime flag.
	if err := flag.Set("test.benchtime", "200x"); err != nil {
		t.Fatal(err)
	}
	libCalls, baseCalls := 0, 0
	lib := func() error {
		libCalls++
		for range 3 {
			sink = make([]byte, 64)
		}
		return nil
	}
	base := func() error {
		baseCalls++
		sink = make([]byte, 64)
		return nil
	}
	r := testing.Benchmark(func(b *testing.B) { benchcmp.Compare(b, lib, base) })
	if r.N == 0 || libCalls != baseCalls || libCalls < r.N {
		t.Fatalf("N = %d, lib called %d times, base %d; want both once per iteration plus a warm-up", r.N, libCalls, baseCalls)
	}
	for _, m := range []string{"time-ratio", "allocs-ratio", "extra-ns/call", "extra-allocs/call", "lib-ns/call", "base-ns/call"} {
		if _, ok := r.Extra[m]; !ok {
			t.Errorf("metric %s not reported (have %v)", m, r.Extra)
		}
	}
	// Three allocations against one: the ratio is about 3 (the GC or a
	// stray allocation may move it a little).
	if got := r.Extra["allocs-ratio"]; got < 2.5 || got > 3.5 {
		t.Errorf("allocs-ratio = %v, want about 3", got)
	}
	if got := r.Extra["extra-allocs/call"]; got < 1.5 || got > 2.5 {
		t.Errorf("extra-allocs/call = %v, want about 2", got)
	}

	failing := testing.Benchmark(func(b *testing.B) {
		benchcmp.Compare(b, func() error { return errors.New("wrong result") }, base)
	})
	if failing.N != 0 {
		t.Errorf("a failing call gave a result with N = %d, want the benchmark failed", failing.N)
	}
}
