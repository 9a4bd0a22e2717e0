// Package benchcmp measures the library against a hand-written baseline
// inside one benchmark, so the figure that matters (our cost as a ratio of
// the plain net/http + encoding/json call) is printed by `go test -bench`
// directly, with both sides exposed to the same machine noise.
package benchcmp

import (
	"runtime"
	"testing"
	"time"
)

// Call is one measured operation. It returns an error when the call failed
// or returned the wrong result, which fails the benchmark.
type Call func() error

// Compare runs lib and base alternately, once each per benchmark iteration
// (so drift from GC or other load hits both alike), and reports:
//
//   - time-ratio and allocs-ratio: lib / base;
//   - extra-ns/call and extra-allocs/call: what lib costs beyond base;
//   - lib-ns/call and base-ns/call.
//
// Both are called once before timing starts, to warm connection pools.
func Compare(b *testing.B, lib, base Call) {
	b.Helper()
	check := func(f Call) {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	check(lib)
	check(base)
	var libT, baseT time.Duration
	var libA, baseA uint64
	var ms runtime.MemStats
	measure := func(f Call, t *time.Duration, a *uint64) {
		runtime.ReadMemStats(&ms)
		m0, t0 := ms.Mallocs, time.Now()
		check(f)
		*t += time.Since(t0)
		runtime.ReadMemStats(&ms)
		*a += ms.Mallocs - m0
	}
	n := 0
	for b.Loop() {
		measure(lib, &libT, &libA)
		measure(base, &baseT, &baseA)
		n++
	}
	b.ReportMetric(float64(libT)/float64(max(baseT, 1)), "time-ratio")
	b.ReportMetric(float64(libA)/float64(max(baseA, 1)), "allocs-ratio")
	b.ReportMetric(float64(libT-baseT)/float64(n), "extra-ns/call")
	b.ReportMetric((float64(libA)-float64(baseA))/float64(n), "extra-allocs/call")
	b.ReportMetric(float64(libT)/float64(n), "lib-ns/call")
	b.ReportMetric(float64(baseT)/float64(n), "base-ns/call")
}
