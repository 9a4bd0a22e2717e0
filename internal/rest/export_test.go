package rest

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Encodings are the ways an API may echo a request's text back: as it is,
// with every character a JSON \u escape (and \/ for a slash), as HTML
// character references (decimal, hex, &amp;), percent-escaped byte by byte,
// with ASCII letters in the other case, and a mix of these character by
// character. The redactor must remove a secret written any of these ways.
var Encodings = map[string]func(string) string{
	"raw":     func(s string) string { return s },
	"json":    func(s string) string { return mapRunes(s, jsonEscape) },
	"html":    htmlRefs,
	"percent": func(s string) string { return mapRunes(s, percentEscape) },
	"case":    func(s string) string { return mapRunes(s, swapCase) },
	"mixed":   mixed,
}

func mapRunes(s string, f func(rune) string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(f(r))
	}
	return b.String()
}

func jsonEscape(r rune) string {
	switch {
	case r == '/':
		return `\/`
	case r > 0xffff:
		r1, r2 := utf16.EncodeRune(r)
		return fmt.Sprintf(`\u%04X\u%04x`, r1, r2)
	}
	return fmt.Sprintf(`\u%04X`, r)
}

func percentEscape(r rune) string {
	var b strings.Builder
	for _, c := range []byte(string(r)) {
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func swapCase(r rune) string {
	switch {
	case 'a' <= r && r <= 'z':
		return string(r - 'a' + 'A')
	case 'A' <= r && r <= 'Z':
		return string(r - 'A' + 'a')
	}
	return string(r)
}

// htmlRefs writes '&' as &amp; and every other character as a decimal or a
// hex reference, alternately.
func htmlRefs(s string) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case i%2 == 0:
			fmt.Fprintf(&b, "&#%d;", r)
		default:
			fmt.Fprintf(&b, "&#x%X;", r)
		}
		i++
	}
	return b.String()
}

// mixed writes each character another way than the one before it. A
// backslash is always percent-escaped: written as it is before a JSON
// escape, it would make another escape (\\u0075 is an escaped backslash
// and "u0075"), which no encoder produces.
func mixed(s string) string {
	ways := []func(rune) string{
		func(r rune) string { return string(r) },
		jsonEscape,
		func(r rune) string { return fmt.Sprintf("&#%d;", r) },
		percentEscape,
		func(r rune) string { return fmt.Sprintf("&#x%x;", r) },
		swapCase,
	}
	var b strings.Builder
	i := 0
	for _, r := range s {
		if r == '\\' {
			b.WriteString(percentEscape(r))
		} else {
			b.WriteString(ways[i%len(ways)](r))
		}
		i++
	}
	return b.String()
}

var (
	jsonEscapeRE    = regexp.MustCompile(`(?i)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|\\u([0-9a-f]{4})`)
	percentEscapeRE = regexp.MustCompile(`(%[0-9a-fA-F]{2})+`)
)

// DecodeAll undoes every encoding of Encodings, in any mix, so that a test
// can look for a secret in a text however it was written.
func DecodeAll(s string) string {
	if !strings.ContainsAny(s, `\%&`) {
		return s
	}
	for range 4 {
		prev := s
		s = strings.ReplaceAll(s, `\/`, "/")
		s = jsonEscapeRE.ReplaceAllStringFunc(s, func(m string) string {
			sub := jsonEscapeRE.FindStringSubmatch(m)
			if sub[3] != "" {
				n, _ := strconv.ParseUint(sub[3], 16, 32)
				return string(rune(n))
			}
			hi, _ := strconv.ParseUint(sub[1], 16, 32)
			lo, _ := strconv.ParseUint(sub[2], 16, 32)
			return string(utf16.DecodeRune(rune(hi), rune(lo)))
		})
		s = html.UnescapeString(s)
		s = percentEscapeRE.ReplaceAllStringFunc(s, func(m string) string {
			var b []byte
			for i := 0; i < len(m); i += 3 {
				n, _ := strconv.ParseUint(m[i+1:i+3], 16, 8)
				b = append(b, byte(n))
			}
			if !utf8.Valid(b) {
				return m
			}
			return string(b)
		})
		if s == prev {
			break
		}
	}
	return s
}
