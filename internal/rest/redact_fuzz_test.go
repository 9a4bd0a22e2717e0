package rest

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// validSecret reports whether s can be a credential: New and a Source
// refuse the others (too short to redact, a line break, invalid UTF-8).
func validSecret(s string) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) >= minSecretLen && strings.TrimSpace(s) != "" &&
		!strings.ContainsFunc(s, unicode.IsControl)
}

// FuzzRedactor: whatever text surrounds a secret, and in whatever encoding
// of Encodings the secret is written (or one encoding over another, as a
// server that escapes an escaped query string does), the redacted text
// holds the secret in no encoding at all (the redactor finds nothing more
// in it), nor the secret as it is in any letter case; String and Bytes
// agree.
func FuzzRedactor(f *testing.F) {
	names := slices.Sorted(maps.Keys(Encodings))
	f.Add("s3cr3t-token-9f8e7d", "bad key ", " for you", uint8(0), uint8(0))
	f.Add("Priv/Key+9f8e&7d=Z", `{"debug":"`, `"}`, uint8(1), uint8(0))
	f.Add("sig 4a7b/c9d2+e1Q", "q=", "&page=2", uint8(2), uint8(0))
	f.Add("ünïcødé-ключ-🔑🔑", "<title>", "</title>", uint8(3), uint8(0))
	f.Add(`quo"te\back<>'`, "", "", uint8(4), uint8(0))
	f.Add("sig 4a7b/c9d2+e1Q", "next=", "", uint8(4), uint8(9)) // percent over percent: %252F
	f.Add("Priv/Key+9f8e&7d=Z", "", "", uint8(4), uint8(5))     // JSON \u escapes of percent escapes
	f.Add("TEDabc123", "", "abc123", uint8(0), uint8(0))        // the replacement's tail plus the rest re-forms the secret
	f.Add("REDACTEDx", "xx", "", uint8(0), uint8(0))            // the secret contains the replacement
	f.Add("abcabcabc", "abcabc", "abcabc", uint8(5), uint8(0))  // overlapping repeats
	f.Fuzz(func(t *testing.T, secret, before, after string, enc, over uint8) {
		if !validSecret(secret) {
			return
		}
		r := newRedactor([]string{secret})
		encoded := Encodings[names[int(enc)%len(names)]](secret)
		if over%2 == 1 {
			encoded = Encodings[names[int(over/2)%len(names)]](encoded)
		}
		text := before + encoded + after
		out := r.String(text)
		if len(r.spans(out)) > 0 {
			t.Errorf("redacted %q to %q, which still holds the secret %q", text, out, secret)
		}
		if regexp.MustCompile("(?i)" + regexp.QuoteMeta(secret)).MatchString(out) {
			t.Errorf("redacted %q to %q, which holds the secret %q", text, out, secret)
		}
		// A character that starts an escape ('%', '&', '\\') in the secret
		// or around it can make an escape with what follows it ("%0" before
		// an escaped "0"), which hides the secret from the decoder; without
		// one the secret is always found.
		if len(r.spans(text)) == 0 && !strings.ContainsAny(secret+before+after, `%&\\`) {
			t.Errorf("found no secret in %q", text)
		}
		if b := r.Bytes([]byte(text)); string(b) != out {
			t.Errorf("Bytes gives %q, String %q", b, out)
		}
	})
}
