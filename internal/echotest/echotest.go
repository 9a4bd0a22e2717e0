// Package echotest is the credential-echo test every vendor package runs
// against its client: a server that answers with everything the request
// carried (every header, the path and the query string), the way a
// debugging API or a misconfigured proxy does, and checks that no
// credential reaches the caller or a log line, whatever the shape and
// encoding of the answer:
//
//   - the vendor's own JSON error body (4xx and 5xx),
//   - an HTML error page, the echo in its title and body,
//   - a 2xx answer carrying the vendor's error envelope (where it has one),
//
// each with the echo written as it is, with every character of each
// secret as a JSON \u escape, percent-encoded, and as HTML character
// references. It calls every ProductImages method (so every request a
// method sends, reads and writes, meets the echo) and inspects the error's
// text, its %+v and %#v forms, every error in its chain, every field of an
// *shopimg.APIError (Body included) and of an *shopimg.AddedError, and every
// log line at debug level.
package echotest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/shopimg/shopimg"
)

// Vendor describes the client under test.
type Vendor struct {
	// Secrets are the credential values the client sends.
	Secrets []string
	// New returns the client's adapter for a server at baseURL, logging to
	// logger at debug level, with retries that never really sleep. It also
	// returns values to print (the typed client, its credentials) that
	// must show no secret in %v, %+v and %#v.
	New func(baseURL string, logger *slog.Logger) (shopimg.ProductImages, []any, error)
	// ProductID and ImageID are valid IDs of the platform.
	ProductID, ImageID string
	// Listing, when not nil, answers the requests that read the product
	// (IsListing) with a valid listing holding ImageID, so that the
	// writes that follow meet the echo too.
	Listing   func(w http.ResponseWriter, r *http.Request)
	IsListing func(r *http.Request) bool
	// ErrorBody renders the vendor's JSON error body carrying text.
	ErrorBody func(status int, text string) string
	// Envelope renders a 2xx body that reports an error carrying text in
	// the vendor's own envelope; nil where the platform has none.
	Envelope func(text string) string
}

// encodings of the echo.
var encodings = map[string]func(body string, secrets []string) string{
	"raw": func(b string, _ []string) string { return b },
	"json-escaped": func(b string, secrets []string) string {
		return replaceAll(b, secrets, func(s string) string {
			var sb strings.Builder
			for _, r := range s {
				fmt.Fprintf(&sb, `\u%04x`, r)
			}
			return sb.String()
		})
	},
	"percent": func(b string, secrets []string) string {
		return replaceAll(b, secrets, func(s string) string {
			var sb strings.Builder
			for _, c := range []byte(s) {
				fmt.Fprintf(&sb, "%%%02X", c)
			}
			return sb.String()
		})
	},
	"query-escaped": func(b string, secrets []string) string { return replaceAll(b, secrets, url.QueryEscape) },
}

func replaceAll(b string, secrets []string, enc func(string) string) string {
	for _, s := range secrets {
		b = strings.ReplaceAll(b, s, enc(s))
	}
	return b
}

// echo is the text of everything the request carried: the headers
// holding a secret first (a client may keep only the start of a long
// message), then the others, the method, path and query.
func echo(r *http.Request, secrets []string) string {
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	secret := func(k string) bool {
		v := strings.Join(r.Header[k], ",")
		for _, s := range secrets {
			if strings.Contains(v, s) {
				return true
			}
		}
		return false
	}
	sort.Slice(keys, func(i, j int) bool {
		if si, sj := secret(keys[i]), secret(keys[j]); si != sj {
			return si
		}
		return keys[i] < keys[j]
	})
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s ", k, strings.Join(r.Header[k], ","))
	}
	fmt.Fprintf(&b, "%s %s?%s", r.Method, r.URL.EscapedPath(), r.URL.RawQuery)
	if q, err := url.QueryUnescape(r.URL.RawQuery); err == nil {
		b.WriteString(" query=" + q)
	}
	return b.String()
}

// Run runs the echo test on v: one subtest per answer shape and encoding,
// each calling every ProductImages method.
func Run(t *testing.T, v Vendor) {
	t.Helper()
	type shape struct {
		name   string
		status int
		ct     string
		render func(text string) string
	}
	shapes := []shape{
		{"json-400", 400, "application/json", func(s string) string { return v.ErrorBody(400, s) }},
		{"json-401", 401, "application/json", func(s string) string { return v.ErrorBody(401, s) }},
		{"json-500", 500, "application/json", func(s string) string { return v.ErrorBody(500, s) }},
		{"html-502", 502, "text/html", htmlPage},
		{"html-as-json-400", 400, "application/json", htmlPage},
		{"html-200", 200, "text/html", htmlPage},
		{"text-404", 404, "text/plain", func(s string) string { return s }},
	}
	if v.Envelope != nil {
		shapes = append(shapes, shape{"envelope-200", 200, "application/json", v.Envelope})
	}
	for _, sh := range shapes {
		for ename, enc := range encodings {
			t.Run(sh.name+"/"+ename, func(t *testing.T) {
				t.Parallel()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if v.Listing != nil && v.IsListing != nil && v.IsListing(r) {
						v.Listing(w, r)
						return
					}
					body := sh.render(echo(r, v.Secrets))
					if strings.HasPrefix(sh.name, "html") && ename == "raw" {
						body = htmlEntities(body, v.Secrets) // HTML's own encoding
					} else {
						body = enc(body, v.Secrets)
					}
					w.Header().Set("Content-Type", sh.ct)
					w.WriteHeader(sh.status)
					_, _ = w.Write([]byte(body))
				}))
				defer srv.Close()
				logs := &syncBuffer{}
				logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				p, printables, err := v.New(srv.URL, logger)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range printables {
					for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
						Absent(t, "printing "+f, fmt.Sprintf(f, x), v.Secrets)
					}
				}
				ctx := context.Background()
				calls := map[string]error{}
				_, calls["List"] = p.List(ctx, v.ProductID)
				_, calls["Add"] = p.Add(ctx, v.ProductID, shopimg.NewImage{SourceURL: "https://img.example.com/a.jpg", Alt: "a"})
				_, calls["Update"] = p.Update(ctx, v.ProductID, v.ImageID, shopimg.ImageUpdate{Alt: new("b")})
				calls["Reorder"] = p.Reorder(ctx, v.ProductID, []string{v.ImageID})
				calls["Delete"] = p.Delete(ctx, v.ProductID, v.ImageID)
				for name, err := range calls {
					CheckError(t, name, err, v.Secrets)
				}
				Absent(t, "log", logs.String(), v.Secrets)
			})
		}
	}
}

func htmlPage(text string) string {
	esc := html.EscapeString(text)
	return "<!DOCTYPE html><html><head><title>Error: " + esc + "</title></head><body><h1>Bad request</h1><pre>" + esc + "</pre></body></html>"
}

// htmlEntities writes every character of each secret as a numeric
// character reference, decimal and hexadecimal in turn.
func htmlEntities(b string, secrets []string) string {
	return replaceAll(b, secrets, func(s string) string {
		var sb strings.Builder
		for i, r := range s {
			if i%2 == 0 {
				fmt.Fprintf(&sb, "&#%d;", r)
			} else {
				fmt.Fprintf(&sb, "&#x%X;", r)
			}
		}
		return sb.String()
	})
}

// CheckError checks that err, in every form a caller can see it, holds no
// secret: its text, %+v and %#v, every error of its chain, and every
// string and byte field of an *shopimg.APIError or *shopimg.AddedError in
// it.
func CheckError(t *testing.T, what string, err error, secrets []string) {
	t.Helper()
	if err == nil {
		return
	}
	seen := map[error]bool{}
	var walk func(e error, depth int)
	walk = func(e error, depth int) {
		if e == nil || depth > 20 || seen[e] {
			return
		}
		seen[e] = true
		Absent(t, what+": error text", e.Error(), secrets)
		Absent(t, what+": %+v", fmt.Sprintf("%+v", e), secrets)
		Absent(t, what+": %#v", fmt.Sprintf("%#v", e), secrets)
		fields(t, what, reflect.ValueOf(e), secrets, 0)
		var added *shopimg.AddedError
		if errors.As(e, &added) {
			walk(added.Err, depth+1)
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x, depth+1)
			}
		}
	}
	walk(err, 0)
}

// fields checks the exported string and []byte fields of v (a pointer to
// a struct, or a struct) and of the structs and slices they hold.
func fields(t *testing.T, what string, v reflect.Value, secrets []string, depth int) {
	t.Helper()
	if depth > 4 {
		return
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		Absent(t, what+": field", v.String(), secrets)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			Absent(t, what+": bytes", string(v.Bytes()), secrets)
			return
		}
		for i := range v.Len() {
			fields(t, what, v.Index(i), secrets, depth+1)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fields(t, what+"."+v.Type().Field(i).Name, v.Field(i), secrets, depth+1)
			}
		}
	}
}

// Absent fails t if s holds a secret, or its first half (a message cut
// to length may keep the start of one), raw or in any of the encodings the
// echo uses (case-insensitively, for the escapes).
func Absent(t *testing.T, what, s string, secrets []string) {
	t.Helper()
	low := strings.ToLower(s)
	for _, sec := range secrets {
		part := []rune(sec)
		part = part[:min(len(part), max(10, len(part)/2))]
		sec := string(part)
		forms := []string{sec}
		for _, enc := range encodings {
			forms = append(forms, enc(sec, []string{sec}))
		}
		forms = append(forms, htmlEntities(sec, []string{sec}), html.EscapeString(sec))
		for _, f := range forms {
			if strings.Contains(low, strings.ToLower(f)) {
				t.Errorf("%s holds a credential (as %.12q...): %.300s", what, f, s)
				return
			}
		}
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
