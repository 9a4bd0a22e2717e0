package rest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/shopimg/shopimg/internal/rest"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := epoch
	cases := map[string]time.Duration{
		"":     0,
		"0":    0,
		"-5":   0,
		"abc":  0,
		"1.5":  1500 * time.Millisecond,
		" 30 ": 30 * time.Second,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
		now.Add(time.Minute).Format(time.RFC850):          time.Minute,
	}
	for in, want := range cases {
		if got := rest.ParseRetryAfter(in, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "10", "1e3", "Wed, 21 Oct 2026 07:28:00 GMT", "NaN", "-1", "99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d := rest.ParseRetryAfter(s, epoch); d < 0 {
			t.Errorf("ParseRetryAfter(%q) = %v, negative", s, d)
		}
	})
}
