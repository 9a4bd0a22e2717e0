package boltstore_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine outlives them, such as
// bbolt's consistency check left running on a damaged file.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
