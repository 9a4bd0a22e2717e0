package shoptet_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopimg/shopimg/shoptet"
)

// TestReviewPrintedCredentials: Credentials printed with a verb that is
// not a string verb (%d, %t, ...) show no token: fmt skips String for them
// and prints the fields.
func TestReviewPrintedCredentials(t *testing.T) {
	t.Parallel()
	creds := shoptet.Credentials{PrivateAPIToken: "review-private-api-token-0001"}
	c, err := shoptet.NewClient(creds)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%d", "%t", "%x", "%q"} {
		for name, x := range map[string]any{"creds": creds, "&creds": &creds, "client": c} {
			out := fmt.Sprintf(f, x)
			if strings.Contains(out, creds.PrivateAPIToken) {
				t.Errorf("%s of %s shows the token: %s", f, name, out)
			}
		}
	}
}
