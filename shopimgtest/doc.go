// Package shopimgtest helps test code that uses shopimg, and code that
// implements it.
//
// For code that uses a shopimg.ProductImages: Fake is an in-memory
// implementation whose capabilities can mimic any platform (the ...Profile
// variables), with injectable faults (Fault) and call accounting (Calls,
// Writes), so a unit test needs no server:
//
//	fake := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.ShoptetProfile))
//	fake.AddProduct("p1")
//	err := mySync(ctx, fake, "p1")
//
// Clock is a fake shopimg.Clock: give it to a vendor client (WithClock) and to
// its fake server so retries and rate-limit pauses cost no real time.
//
// For code that implements a shopimg.ProductImages: RunConformance is the
// behaviour table every adapter in this module passes:
//
//	func TestConformance(t *testing.T) {
//		shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
//			srv := bigcommercetest.NewServer(bigcommercetest.WithClock(shopimgtest.NewClock(time.Now())))
//			t.Cleanup(srv.Close)
//			srv.AddProduct(111)
//			client, err := srv.NewClient()
//			if err != nil {
//				t.Fatal(err)
//			}
//			return client.ProductImages(), "111"
//		})
//	}
//
// Package shopimgtest/fakestore is the engine under every vendor's fake
// server (bigcommercetest, threedcarttest, ...): its Fault, Faults and
// Recorder types are what those servers' Faults and Recorder methods give.
package shopimgtest
