package shopimgtest

import "testing"

// Behaviour is one behaviour a platform's documents state, which its
// vendor fake must show, for RunBehaviours.
type Behaviour struct {
	// Name names the subtest.
	Name string
	// Doc is what the vendor's documents say, and where they say it.
	Doc string
	// Check checks the behaviour against the fake's raw HTTP.
	Check func(t *testing.T)
}

// RunBehaviours runs the table of a vendor fake's documented behaviours:
// each Check as a parallel subtest, its Doc in the subtest's log.
func RunBehaviours(t *testing.T, table []Behaviour) {
	t.Helper()
	for _, b := range table {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			t.Log(b.Doc)
			b.Check(t)
		})
	}
}
