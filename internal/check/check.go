// Package check holds the input checks shared by the root package, the
// adapter guard, the in-memory fake and imagesync, each returning the reason
// a value is refused ("" when it is fine), so that every caller words a
// refusal the same way. It imports nothing of the module.
package check

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ID is the reason id cannot be a product or image ID: empty, not valid
// UTF-8, or holding a control character (a tab, NUL, newline: none belongs
// in an ID, and some would change the request's meaning on the wire).
func ID(id string) string {
	switch {
	case id == "":
		return "is empty"
	case !utf8.ValidString(id):
		return "is not valid UTF-8"
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return "contains a control character"
		}
	}
	return ""
}

// NumericID parses s as a positive decimal integer without sign or spaces
// (the form numeric platforms use), and returns the reason when it is not
// one.
func NumericID(s string) (int64, string) {
	if r := ID(s); r != "" {
		return 0, r
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || s[0] == '+' {
		return 0, fmt.Sprintf("%q is not a positive decimal number", s)
	}
	return n, ""
}

// Text is the reason s cannot be sent as an alt text, caption or title: not
// valid UTF-8, or holding a NUL or another control character other than
// tab, line feed and carriage return. Platforms store such bytes mangled or
// refuse them after the fact; refusing them first sends nothing.
func Text(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return fmt.Sprintf("contains the control character %U", r)
		}
	}
	return ""
}

// SourceURL is the reason s cannot be a source URL a platform downloads an
// image from: it must be an absolute http(s) URL with a host, and without
// user:password (the platform would store the credentials with the image and
// may show them in its image URL; put a signed URL or a token parameter in
// the query instead).
func SourceURL(s string) string {
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\r\n") {
		return "must be an absolute http(s) URL without spaces"
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "must be an absolute http(s) URL"
	}
	if u.User != nil {
		return "must not carry a user name or password (the platform would keep them with the image)"
	}
	return ""
}
