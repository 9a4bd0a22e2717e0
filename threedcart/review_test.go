package threedcart

import (
	"fmt"
	"strings"
	"testing"
)

// TestReviewPrintedCredentialsAndClient: Credentials and Client printed
// with any verb, by value and by pointer, show no credential. A verb that
// is not a string verb (%d, %t, %x of a field...) makes fmt skip String
// and print the fields; a Client printed by value skips its
// pointer-receiver String.
func TestReviewPrintedCredentialsAndClient(t *testing.T) {
	t.Parallel()
	creds := Credentials{SecureURL: "https://review-store-0001.3dcartstores.com", PrivateKey: "review-private-key-0001", Token: "review-token-value-0001"}
	c, err := NewClient(creds)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"review-store-0001", "review-private-key-0001", "review-token-value-0001"}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%d", "%t", "%x", "%q", "%08v", "%10.3s"} {
		for name, x := range map[string]any{"creds": creds, "&creds": &creds, "client": *c, "&client": c} {
			out := fmt.Sprintf(f, x)
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%s of %s shows %q: %s", f, name, s, out)
				}
			}
		}
	}
}
