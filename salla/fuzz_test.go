package salla

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
)

// FuzzDecoders feeds any body to every decoder of API answers: the error
// decoder, the product, image and delete envelopes and their checks. None
// may panic; an error they build is well-formed.
func FuzzDecoders(f *testing.F) {
	for _, s := range []string{
		`{"status":401,"success":false,"error":{"code":"Unauthorized","message":"x"}}`,
		`{"status":422,"success":false,"error":{"code":"error","message":"alert.invalid_fields","fields":{"photo":["a","b"],"x":"y"}}}`,
		`{"error":"invalid_grant","error_description":"The refresh token is invalid."}`,
		`{"status":404,"success":false,"error":{"code":404,"message":{"a":1}}}`,
		`{"status":200,"success":true,"data":{"id":1,"images":[{"id":2,"sort":"3.6","main":"1","alt":null,"type":"video"}]}}`,
		`{"status":201,"success":true,"data":{"id":713368802,"image":{"original":{"url":"u","width":865.8,"height":0}},"sort":5,"default":true,"alt_seo":null}}`,
		`{"success":false}`, `{"error":null}`, `{"error":3}`, `[]`, `null`, `""`, `<html></html>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := &APIError{Platform: platform, Method: "GET", Path: "/p", StatusCode: 400, Body: body}
		decodeError(e, http.Header{}, body)
		checkAPIError(t, e)
		for _, out := range []interface {
			CheckBody(*APIError) bool
		}{&productEnvelope{}, &imageEnvelope{}, &deleteEnvelope{}} {
			if json.Unmarshal(body, out) != nil {
				continue
			}
			e := &APIError{Platform: platform, Method: "POST", Path: "/p", StatusCode: 200}
			if out.CheckBody(e) {
				checkAPIError(t, e)
				if e.StatusCode < 100 || e.StatusCode > 599 {
					t.Fatalf("status %d", e.StatusCode)
				}
			}
		}
		var p Product
		if json.Unmarshal(body, &p) == nil {
			_ = display(p.Images)
		}
	})
}

func checkAPIError(t *testing.T, e *APIError) {
	t.Helper()
	if !utf8.ValidString(e.Message) && strings.ToValidUTF8(e.Message, "") == e.Message {
		t.Fatalf("message %q", e.Message)
	}
	if e.Kind != nil && e.Kind != shopimg.ErrUnauthorized && e.Kind != shopimg.ErrInvalidInput {
		t.Fatalf("kind %v", e.Kind)
	}
	_ = e.Error()
}

// FuzzRateHeaders feeds any values to the quota header reader: it never
// panics and never reports a negative count or wait.
func FuzzRateHeaders(f *testing.F) {
	f.Add("120", "99", "1774000000")
	f.Add("", "0", "30")
	f.Add("x", "-1", "9999999999999")
	f.Add("1.5", "2.9", "")
	clock := shopimgtest.NewClock(time.Unix(1774000000, 0))
	read := rateReader(clock)
	f.Fuzz(func(t *testing.T, limit, remaining, reset string) {
		h := http.Header{}
		h.Set(headerRateLimit, limit)
		h.Set(headerRateRemaining, remaining)
		h.Set(headerRateReset, reset)
		info, ok := read(h)
		if info.Remaining < 0 || info.Reset < 0 || info.Limit < 0 {
			t.Fatalf("%+v", info)
		}
		if !ok && info.Remaining+info.Limit != 0 {
			t.Fatalf("no quota reported, yet %+v", info)
		}
	})
}

// FuzzTokenExpiry feeds any expires member to TokenExpiry.
func FuzzTokenExpiry(f *testing.F) {
	f.Add(`{"expires":1774000000}`)
	f.Add(`{"expires":"3600"}`)
	f.Add(`{"expires":-5}`)
	f.Add(`{"expires":1e300}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var m map[string]any
		if json.Unmarshal([]byte(raw), &m) != nil {
			return
		}
		_ = TokenExpiry((&oauth2.Token{}).WithExtra(m), time.Unix(1774000000, 0))
	})
}
