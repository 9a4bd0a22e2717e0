package imagesync_test

import (
	"testing"

	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/imagesync/storetest"
)

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) imagesync.Store { return imagesync.NewMemoryStore() }, nil)
}
