package check_test

import (
	"strings"
	"testing"

	"github.com/shopimg/shopimg/internal/check"
)

func TestID(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"1": "", "abc-DEF_1.png": "", "ünï": "", " 1": "", "a b": "", "🔑": "",
		"":     "is empty",
		"\xff": "is not valid UTF-8", "a\xc3": "is not valid UTF-8",
		"\t1": "contains a control character", "1\n": "contains a control character", "\x00": "contains a control character",
		"a\rb": "contains a control character", "\x7f": "contains a control character", "\x1b[0m": "contains a control character",
	}
	for id, want := range cases {
		if got := check.ID(id); got != want {
			t.Errorf("ID(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestNumericID(t *testing.T) {
	t.Parallel()
	ok := map[string]int64{"1": 1, "42": 42, "007": 7, "9223372036854775807": 1<<63 - 1}
	for s, want := range ok {
		if n, r := check.NumericID(s); r != "" || n != want {
			t.Errorf("NumericID(%q) = %d, %q; want %d", s, n, r, want)
		}
	}
	for _, s := range []string{"", "0", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "abc", "9223372036854775808", "١", "\x00"} {
		if n, r := check.NumericID(s); r == "" || n != 0 {
			t.Errorf("NumericID(%q) = %d, %q; want a reason", s, n, r)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"": "", "Red shoe, side view": "", "line\nbreak\r\nand\ttab": "", "ünïcødé 🔑": "",
		"\xff":    "is not valid UTF-8",
		"a\x00b":  "contains the control character U+0000",
		"\x1b[1m": "contains the control character U+001B",
		"del\x7f": "contains the control character U+007F",
		"\v":      "contains the control character U+000B",
	}
	for s, want := range cases {
		if got := check.Text(s); got != want {
			t.Errorf("Text(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestSourceURL(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"https://cdn.example.com/a.png", "http://x.example/a.png?sig=abc&t=1", "https://x.example:8443/p/a%20b.png",
		"https://[::1]/a.png", "HTTPS://X.EXAMPLE/A.PNG",
	} {
		if r := check.SourceURL(s); r != "" {
			t.Errorf("SourceURL(%q) = %q, want accepted", s, r)
		}
	}
	cases := map[string]string{
		"":                             "absolute http(s) URL",
		"/a.png":                       "absolute http(s) URL",
		"ftp://x.example/a.png":        "absolute http(s) URL",
		"file:///etc/passwd":           "absolute http(s) URL",
		"https:///a.png":               "absolute http(s) URL",
		"https://x.example/a b.png":    "without spaces",
		" https://x.example/a.png":     "without spaces",
		"https://x.example/a.png\n":    "without spaces",
		"https://x.example/\ta.png":    "without spaces",
		"https://user:pw@x.example/a":  "user name or password",
		"https://user@x.example/a.png": "user name or password",
		"https://x.example/%zz":        "absolute http(s) URL",
		"javascript:alert(1)":          "absolute http(s) URL",
	}
	for s, want := range cases {
		if got := check.SourceURL(s); !strings.Contains(got, want) {
			t.Errorf("SourceURL(%q) = %q, want it to contain %q", s, got, want)
		}
	}
}
