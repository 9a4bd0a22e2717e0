package rest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/shopimg/shopimg"
)

// Credential is one secret a platform needs on every request, declared once
// by the vendor package. The core sends it on every attempt, with the exact
// spelling given, and removes its value from everything that leaves the
// core: error strings, every field of *shopimg.APIError (Body included),
// transport errors and every error they wrap, decoding errors and log
// lines. A value shorter than six characters is not removed (it would
// blank out ordinary words); credentials are far longer.
type Credential struct {
	// Header is the header that carries it, sent exactly as spelled here
	// (3dcart's "PrivateKey" and FinerWorks' "web_api_key" are not in Go's
	// canonical form, and some servers compare names case-sensitively).
	Header string
	// Query is the query parameter that carries it, for platforms that
	// take credentials in the URL. Header and Query may both be set.
	Query string
	// Prefix goes before the value on the wire ("Bearer ").
	Prefix string
	// Value is a fixed secret (an API key).
	Value string
	// Source, when set instead of Value, returns the secret for one attempt
	// (an OAuth2 access token that is refreshed when it expires). Its error
	// ends the call, wrapped; give it a category (shopimg.ErrUnauthorized
	// for a revoked grant) where one fits.
	Source func(ctx context.Context) (string, error)
}

// minSecretLen is the shortest secret value scrubbed: shorter ones would
// blank out ordinary words of a message.
const minSecretLen = 6

// redacted replaces every secret.
const redacted = "REDACTED"

// maxNesting is how many encodings deep the redactor looks for a secret: a
// query string, percent-escaped by the client, that a server echoes
// percent-escaped again (%252F) or inside JSON \u escapes is two deep.
const maxNesting = 3

// redactor replaces secret values, in every encoding a body or message can
// carry them, with "REDACTED".
type redactor struct {
	secrets []string // each value in canonical form (see canonical); none: nothing to redact
	longest int      // the most runes of a value
}

// newRedactor returns a redactor for values (those shorter than
// minSecretLen are ignored). It finds each value in any letter case and
// with any of its characters written as a JSON escape (\u0053, a surrogate
// pair, \/, \"), a percent escape (%2F, '+' for a space), or an HTML
// character reference (&#83;, &#x53;, &amp;), in any mix, since an API that
// echoes a request may encode it any of these ways; and also under up to
// maxNesting such encodings (%252F, \u0025\u0032\u0046).
func newRedactor(values []string) *redactor {
	r := &redactor{}
	for _, v := range values {
		if utf8.RuneCountInString(v) < minSecretLen {
			continue
		}
		c, _ := canonical(v)
		if !slices.Contains(r.secrets, c) {
			r.secrets = append(r.secrets, c)
		}
		r.longest = max(r.longest, utf8.RuneCountInString(v))
	}
	return r
}

// String returns s without secrets.
func (r *redactor) String(s string) string {
	if r == nil || len(r.secrets) == 0 || s == "" {
		return s
	}
	// Removing a secret can join its neighbours into another one (a secret
	// that contains "REDACTED", or ends as it begins): later passes delete
	// what they find, so the text shrinks until none is left.
	for repl := redacted; ; repl = "" {
		spans := r.spans(s)
		if len(spans) == 0 {
			return s
		}
		var b strings.Builder
		last := 0
		for _, sp := range spans {
			b.WriteString(s[last:sp.start])
			b.WriteString(repl)
			last = sp.end
		}
		b.WriteString(s[last:])
		s = b.String()
	}
}

// Bytes returns b without secrets (b itself when it holds none).
func (r *redactor) Bytes(b []byte) []byte {
	if r == nil || len(r.secrets) == 0 || len(b) == 0 {
		return b
	}
	s := string(b)
	if out := r.String(s); out != s {
		return []byte(out)
	}
	return b
}

// slack is how far past a cut a secret that starts before the cut can
// reach, written in the longest encoding the redactor reads (32 bytes a
// character covers three levels of escapes).
func (r *redactor) slack() int64 {
	if r == nil {
		return 0
	}
	return 32 * int64(r.longest)
}

// keep returns b without secrets, cut to limit bytes, and whether it cut
// anything. b should run slack bytes past limit where the text does, so
// that a secret the cut would split is found whole and removed.
func (r *redactor) keep(b []byte, limit int64) ([]byte, bool) {
	b = r.Bytes(b)
	if int64(len(b)) > limit {
		return b[:limit], true
	}
	return b, false
}

// span is a part s[start:end] of a text.
type span struct{ start, end int }

// spans returns the parts of s that hold a secret, in order and merged
// where they overlap. It looks in s, then in s with one level of escapes
// decoded, and so on up to maxNesting levels, each in canonical form, and
// maps what it finds back to the part of s it was decoded from.
func (r *redactor) spans(s string) []span {
	var found []span
	text := s
	var from []span // from[i]: the part of s byte i of text comes from; nil: the identity
	for depth := 0; ; depth++ {
		c, cfrom := canonical(text)
		for _, secret := range r.secrets {
			for at := 0; ; {
				i := strings.Index(c[at:], secret)
				if i < 0 {
					break
				}
				i += at
				found = append(found, through(from, through(cfrom, span{i, i + len(secret)})))
				at = i + 1
			}
		}
		if depth == maxNesting {
			break
		}
		next, local := decodeOnce(text)
		if local == nil {
			break
		}
		for j, sp := range local {
			local[j] = through(from, sp)
		}
		text, from = next, local
	}
	slices.SortFunc(found, func(a, b span) int { return a.start - b.start })
	var merged []span
	for _, sp := range found {
		if n := len(merged); n > 0 && sp.start <= merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, sp.end)
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// through maps the part sp of a text to the part of another text it comes
// from, by from (which gives, for each byte, the part it comes from; nil:
// the texts are the same).
func through(from []span, sp span) span {
	if from == nil {
		return sp
	}
	return span{from[sp.start].start, from[sp.end-1].end}
}

// canonical returns s with every letter in one case (the smallest of its
// case folding orbit: 'S' for s, S and ſ) and '+' as a space (a query
// string's space), so that a plain search finds a value in any case; and,
// unless the result has s's byte offsets (nil), for each of its bytes the
// part of s it comes from. Bytes of invalid UTF-8 are kept as they are.
func canonical(s string) (string, []span) {
	ascii := true
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= utf8.RuneSelf:
			ascii = false
		case c == '+':
			b[i] = ' '
		case 'a' <= c && c <= 'z':
			b[i] = c - ('a' - 'A')
		}
	}
	if ascii {
		return string(b), nil
	}
	var out strings.Builder
	from := make([]span, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1, r < utf8.RuneSelf:
			out.WriteByte(b[i])
		default:
			out.WriteRune(foldRune(r))
		}
		for out.Len() > len(from) {
			from = append(from, span{i, i + n})
		}
		i += n
	}
	return out.String(), from
}

// foldRune is the smallest rune of r's case folding orbit.
func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}

// decodeOnce decodes one level of escapes in s (JSON \uXXXX, surrogate
// pairs, \/ \" \\; percent escapes; HTML decimal, hex and named references
// of the characters HTML escapes), and returns for each byte of the result
// the part of s it comes from; nil when s holds no escape.
func decodeOnce(s string) (string, []span) {
	if !strings.ContainsAny(s, `\%&`) {
		return s, nil
	}
	var b strings.Builder
	from := make([]span, 0, len(s))
	decoded := false
	for i := 0; i < len(s); {
		text, n := unescape(s[i:])
		if n == 0 {
			text, n = s[i:i+1], 1
		} else {
			decoded = true
		}
		b.WriteString(text)
		for b.Len() > len(from) {
			from = append(from, span{i, i + n})
		}
		i += n
	}
	if !decoded {
		return s, nil
	}
	return b.String(), from
}

// unescape decodes the escape s starts with, and returns it and the length
// of the escape (0 when s starts with none).
func unescape(s string) (string, int) {
	switch {
	case len(s) >= 6 && (s[:2] == `\u` || s[:2] == `\U`):
		hi, ok := parseHex(s[2:6])
		if !ok {
			return "", 0
		}
		if utf16.IsSurrogate(hi) && len(s) >= 12 && s[6] == '\\' && (s[7] == 'u' || s[7] == 'U') {
			if lo, ok := parseHex(s[8:12]); ok {
				if r := utf16.DecodeRune(hi, lo); r != utf8.RuneError {
					return string(r), 12
				}
			}
		}
		return string(hi), 6
	case len(s) >= 2 && s[0] == '\\' && strings.IndexByte(`/"\\`, s[1]) >= 0:
		return s[1:2], 2
	case len(s) >= 3 && s[0] == '%':
		if v, ok := parseHex(s[1:3]); ok {
			return string([]byte{byte(v)}), 3
		}
	case len(s) >= 4 && s[0] == '&':
		end := strings.IndexByte(s[:min(len(s), 16)], ';')
		if end < 0 {
			return "", 0
		}
		ref := s[1:end]
		switch {
		case len(ref) > 2 && (ref[:2] == "#x" || ref[:2] == "#X"):
			if v, ok := parseHex(ref[2:]); ok && v <= unicode.MaxRune {
				return string(v), end + 1
			}
		case len(ref) > 1 && ref[0] == '#':
			if v, err := strconv.ParseUint(ref[1:], 10, 32); err == nil && v <= unicode.MaxRune {
				return string(rune(v)), end + 1
			}
		default:
			if c, ok := namedRefs[strings.ToLower(ref)]; ok {
				return c, end + 1
			}
		}
	}
	return "", 0
}

// namedRefs are the HTML named references of the characters HTML escapes.
var namedRefs = map[string]string{"amp": "&", "lt": "<", "gt": ">", "quot": `"`, "apos": "'"}

func parseHex(s string) (rune, bool) {
	v, err := strconv.ParseUint(s, 16, 32)
	return rune(v), err == nil && s != "" && s[0] != '+' && s[0] != '-'
}

// ScrubError is what the core returns for err. When neither err nor any
// error it wraps shows a secret (in its message, with %+v or with %#v), it
// is err itself. Otherwise it is a copy of the chain in which each error
// that shows one is replaced: a *url.Error, *net.OpError, *RedirectError or
// *shopimg.APIError by a redacted copy of its own type, any other by an
// error with the redacted message that still matches with errors.Is what
// the original matched itself. errors.As finds the typed copies and every
// error of the chain that showed nothing.
func (r *redactor) ScrubError(err error) error {
	if err == nil || r.clean(err) {
		return err
	}
	var cp error
	switch e := err.(type) {
	case *url.Error:
		c := *e
		c.URL = r.String(redactURLString(e.URL))
		c.Err = r.ScrubError(e.Err)
		cp = &c
	case *net.OpError:
		c := *e
		c.Err = r.ScrubError(e.Err)
		cp = &c
	case *RedirectError:
		c := *e
		c.From, c.To = r.String(e.From), r.String(e.To)
		cp = &c
	case *shopimg.APIError:
		c := *e
		c.Details = slices.Clone(e.Details)
		cp = scrubAPIError(&c, r)
	}
	if cp != nil && r.clean(cp) {
		return cp
	}
	msg := r.String(err.Error())
	is := ownIs(err)
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return &scrubbed{msg: msg, cause: r.ScrubError(u.Unwrap()), is: is}
	case interface{ Unwrap() []error }:
		var causes []error
		for _, c := range u.Unwrap() {
			causes = append(causes, r.ScrubError(c))
		}
		return &scrubbedJoin{msg: msg, causes: causes, is: is}
	}
	return &scrubbed{msg: msg, is: is}
}

// clean reports whether err and every error it wraps show no secret.
func (r *redactor) clean(err error) bool {
	if err == nil {
		return true
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if len(r.spans(s)) > 0 {
			return false
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return r.clean(u.Unwrap())
	case interface{ Unwrap() []error }:
		return !slices.ContainsFunc(u.Unwrap(), func(e error) bool { return !r.clean(e) })
	}
	return true
}

// ownIs is what errors.Is asks of err itself (not of what it wraps): is
// it target, or does its Is method say so. It is a func, so that printing
// the error that keeps it shows nothing of err.
func ownIs(err error) func(error) bool {
	return func(target error) bool {
		if reflect.TypeOf(err).Comparable() && err == target {
			return true
		}
		x, ok := err.(interface{ Is(error) bool })
		return ok && x.Is(target)
	}
}

// scrubbed stands for an error that showed a secret: its message without
// the secret, a scrubbed copy of what it wrapped, and its own errors.Is.
type scrubbed struct {
	msg   string
	cause error
	is    func(error) bool
}

func (s *scrubbed) Error() string        { return s.msg }
func (s *scrubbed) Unwrap() error        { return s.cause }
func (s *scrubbed) Is(target error) bool { return s.is(target) }

// scrubbedJoin is scrubbed for an error that wraps several.
type scrubbedJoin struct {
	msg    string
	causes []error
	is     func(error) bool
}

func (s *scrubbedJoin) Error() string        { return s.msg }
func (s *scrubbedJoin) Unwrap() []error      { return s.causes }
func (s *scrubbedJoin) Is(target error) bool { return s.is(target) }

// secretQuery lists query parameters whose values are never shown, whoever
// set them: they are credentials in every API that uses them.
var secretQuery = []string{"access_token", "token", "client_secret", "refresh_token", "api_key", "app_key", "web_api_key", "key", "password", "privatekey", "code"}

func isSecretQuery(name string) bool {
	for _, s := range secretQuery {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// redactURLString removes the password and the values of well-known secret
// query parameters from a URL (the values of declared credentials are
// removed wherever they are by the redactor).
func redactURLString(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if isSecretQuery(k) {
				q.Set(k, redacted)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Redact returns s without the secrets given (those shorter than six
// characters are ignored), found in every case and encoding the core's own
// redaction reads (JSON escapes, percent-encoding, HTML character
// references, nested up to three deep). It is for text the core does not
// see, such as an OAuth token endpoint's answer.
func Redact(s string, secrets ...string) string {
	return newRedactor(secrets).String(s)
}
