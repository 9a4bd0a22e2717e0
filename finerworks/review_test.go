package finerworks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopimg/shopimg/finerworks"
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
