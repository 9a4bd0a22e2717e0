package finerworks_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/internal/echotest"
)

// TestReviewPrintedCredentials: Credentials printed with a verb that is
// not a string verb (%d, %t, ...) show no key: fmt skips String for them
// and prints the fields.
func TestReviewPrintedCredentials(t *testing.T) {
	t.Parallel()
	creds := finerworks.Credentials{WebAPIKey: "review-web-api-key-0001", AppKey: "review-app-key-0001"}
	c, err := finerworks.NewClient(creds)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%d", "%t", "%x", "%q"} {
		for name, x := range map[string]any{"creds": creds, "&creds": &creds, "client": *c, "&client": c} {
			out := fmt.Sprintf(f, x)
			for _, s := range []string{creds.WebAPIKey, creds.AppKey} {
				if strings.Contains(out, s) {
					t.Errorf("%s of %s shows %q: %s", f, name, s, out)
				}
			}
		}
	}
}

// TestReviewDebugEscapedNameInCutBody: a body that is not JSON (cut
// short, say) is cut before its first "debug" member, found by its name as
// written; a name written with a JSON escape ("d\u0065bug") is not found,
// and what debug echoes stays in the error. The package promises
// status.debug is never shown, also from bodies that are not JSON.
func TestReviewDebugEscapedNameInCutBody(t *testing.T) {
	t.Parallel()
	const marker = "DEBUG-ECHO-MUST-NOT-SHOW"
	for name, key := range map[string]string{"escaped": `d\u0065bug`, "escaped-upper": `\u0044EBUG`} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := `{"status":{"success":false,"message":"x","` + key + `":{"echo":"` + marker + `"`
			h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { respond(w, 502, body) })
			_, err := h.client.UpdateImages(ctx, []finerworks.UpdateImage{{GUID: guids(1)[0], Title: "t"}})
			if err == nil {
				t.Fatal("no error")
			}
			echotest.CheckError(t, name, err, []string{marker})
			echotest.Absent(t, "log", h.logs.String(), []string{marker})
		})
	}
}
