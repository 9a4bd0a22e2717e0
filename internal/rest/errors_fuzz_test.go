package rest

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzDescribeBody: whatever an error answer holds, its description is one
// line of valid UTF-8 without control characters, of bounded length.
func FuzzDescribeBody(f *testing.F) {
	f.Add("text/html", []byte("<html><head><title>Bad\nGateway\x1b[31m</title></head></html>"), false)
	f.Add("application/json", []byte(`{"error":"x"}`), true)
	f.Add("", []byte{0xff, 0x00, '\n'}, false)
	f.Add("text/plain; charset=utf-8", []byte("  not\r\n found \u2028 \u0085 "), false)
	f.Add("bogus/;;", []byte(""), true)
	f.Add("", []byte("<!DOCTYPE html><title>"+strings.Repeat("é", 500)+"</title>"), false)
	f.Add("text/plain", []byte(strings.Repeat("a\x00b\x7f", 200)), true)
	f.Fuzz(func(t *testing.T, contentType string, body []byte, truncated bool) {
		checkOneLine(t, describeBody(contentType, body, truncated, nil), 400)
	})
}

// FuzzClean: Clean gives one line of valid UTF-8 without control
// characters, of at most n runes plus the ellipsis, for any n.
func FuzzClean(f *testing.F) {
	f.Add("plain", 10)
	f.Add("  a \r\n b\t\tc  ", 3)
	f.Add("\x00\x1b[2Jtitle\x7f", 100)
	f.Add("\xff\xfe invalid", 2)
	f.Add("line\u2028separator\u0085next", 50)
	f.Add("anything", 0)
	f.Add("anything", -5)
	f.Fuzz(func(t *testing.T, s string, n int) {
		checkOneLine(t, clean(s, n), max(n, 0)+1)
	})
}

func checkOneLine(t *testing.T, s string, maxRunes int) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%q is not valid UTF-8", s)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
		t.Errorf("%q holds a control character or line break", s)
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		t.Errorf("%q has %d runes, want at most %d", s, n, maxRunes)
	}
}
