package shoptet_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine outlives them: an
// upload streams through a goroutine, and the fakes serve on their own;
// every one must end with its call or its test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
