package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestQuickstart runs the whole program and checks each platform went through
// every step, done or reported unsupported.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	platforms := strings.Count("\n"+got, "\n== ")
	if platforms != len(stores) {
		t.Errorf("output shows %d platforms, want %d:\n%s", platforms, len(stores), got)
	}
	for _, step := range []string{"after adding three images", "after changing an alt text", "after putting the back view first", "after deleting the front view"} {
		if n := strings.Count(got, "-- "+step); n != len(stores) {
			t.Errorf("step %q appears %d times, want %d", step, n, len(stores))
		}
	}
}
