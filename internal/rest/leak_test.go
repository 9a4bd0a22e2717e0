package rest_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// secretSet is the secrets one test's client sent: its fixed credentials
// and every token its credential Source handed out.
type secretSet struct {
	mu   sync.Mutex
	list []string
}

func newSecretSet(fixed ...string) *secretSet { return &secretSet{list: fixed} }

func (s *secretSet) add(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, v)
}

func (s *secretSet) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.list...)
}

// errorChain returns err and every error it wraps, through both forms of
// Unwrap, breadth first.
func errorChain(err error) []error {
	var out []error
	for queue := []error{err}; len(queue) > 0; queue = queue[1:] {
		e := queue[0]
		if e == nil {
			continue
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			queue = append(queue, u.Unwrap())
		case interface{ Unwrap() []error }:
			queue = append(queue, u.Unwrap()...)
		}
	}
	return out
}

// exposure is every text a caller or a log reader can see of a call: the
// error in every format, each error it wraps, every field of the
// *shopimg.APIError and *rest.CallError values among them, the log lines,
// and the client printed every way.
func exposure(err error, logs string, c *rest.Client) map[string]string {
	seen := map[string]string{"logs": logs}
	if c != nil {
		for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
			seen["client "+f] = fmt.Sprintf(f, c)
			seen["*client "+f] = fmt.Sprintf(f, *c)
		}
	}
	if err == nil {
		return seen
	}
	for i, e := range errorChain(err) {
		where := fmt.Sprintf("chain[%d] %T", i, e)
		seen[where+" Error()"] = e.Error()
		for _, f := range []string{"%v", "%+v", "%#v"} {
			seen[where+" "+f] = fmt.Sprintf(f, e)
		}
		switch e := e.(type) {
		case *shopimg.APIError:
			for name, v := range map[string]string{
				"Platform": e.Platform, "Method": e.Method, "Path": e.Path, "Code": e.Code,
				"Message": e.Message, "RequestID": e.RequestID, "Body": string(e.Body),
			} {
				seen[where+"."+name] = v
			}
			for j, d := range e.Details {
				seen[fmt.Sprintf("%s.Details[%d]", where, j)] = d.Field + " " + d.Message
			}
		case *rest.CallError:
			seen[where+".Message"] = e.Message
			seen[where+".Path"] = e.Path
		}
	}
	var apiErr *shopimg.APIError
	if errors.As(err, &apiErr) {
		seen["errors.As APIError.Message"] = apiErr.Message
		seen["errors.As APIError.Body"] = string(apiErr.Body)
	}
	return seen
}

// leaksIn reports how each secret that shows in text does: as it is or in
// any encoding of rest.Encodings (in any letter case), or cut short (its
// first or last 8 characters, as a message cut at a length limit would
// show it).
func leaksIn(text string, secrets []string) map[string]string {
	out := map[string]string{}
	plain, decoded := strings.ToLower(text), strings.ToLower(rest.DecodeAll(text))
	for _, secret := range secrets {
		s := strings.ToLower(secret)
		switch {
		case strings.Contains(plain, s):
			out[secret] = "the secret"
		case strings.Contains(decoded, s):
			out[secret] = "the secret, encoded"
		default:
			if r := []rune(s); len(r) > 8 {
				for _, part := range []string{string(r[:8]), string(r[len(r)-8:])} {
					if strings.Contains(decoded, part) {
						out[secret] = fmt.Sprintf("part of the secret (%q)", part)
					}
				}
			}
		}
	}
	return out
}

// assertNoSecret fails t if any secret shows anywhere in the exposure of a
// call. It returns the exposure, for checks that the text was really there
// (REDACTED in its place).
func assertNoSecret(t *testing.T, secrets []string, err error, logs string, c *rest.Client) map[string]string {
	t.Helper()
	seen := exposure(err, logs, c)
	for where, text := range seen {
		for secret, how := range leaksIn(text, secrets) {
			t.Errorf("%s shows %s %q:\n%.2000s", where, how, secret, text)
		}
	}
	return seen
}

// redactedSomewhere reports whether the exposure says REDACTED somewhere
// but in the logs, proving the secret reached the error and was removed
// rather than never being there.
func redactedSomewhere(seen map[string]string) bool {
	for where, text := range seen {
		if where != "logs" && strings.Contains(text, "REDACTED") {
			return true
		}
	}
	return false
}
