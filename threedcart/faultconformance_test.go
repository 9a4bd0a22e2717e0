package threedcart_test

import (
	"testing"

	"github.com/shopimg/shopimg/shopimgtest"
)

// TestFaultConformance runs the network fault table on the client over its
// fake server, and on the in-memory Fake with ThreeDCartProfile: the same
// faults, in the same vocabulary, give the same outcomes on both.
func TestFaultConformance(t *testing.T) {
	t.Parallel()
	shopimgtest.RunFaultConformanceLikeFake(t, shopimgtest.ThreeDCartProfile, func(t *testing.T) shopimgtest.FaultTarget {
		e := newEnv(t, nil)
		e.srv.AddProduct(501)
		return shopimgtest.FaultTarget{Images: e.images, ProductID: "501", Inject: e.srv.Inject, Clock: e.clock}
	})
}
