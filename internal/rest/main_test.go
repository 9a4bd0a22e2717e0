package rest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: an
// upload's streaming goroutine, a server, a retry timer.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
