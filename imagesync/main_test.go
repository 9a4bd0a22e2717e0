package imagesync_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine outlives them: Run
// starts workers, pause timers and an event goroutine, and every one must
// end before Run returns.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
