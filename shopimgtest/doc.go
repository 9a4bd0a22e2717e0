// Package shopimgtest helps test code that uses shopimg, and code that
// implements it.
//
// For code that uses a shopimg.ProductImages: Fake is an in-memory
// implementation whose capabilities can mimic any platform (the ...Profile
// variables), with injectable faults (Fault) and call accounting (Calls,
// Writes), so a unit test needs no server. With a platform's profile it
// behaves as that platform does where users look: it serves images from
// the URLs the platform would (the source URL only where the platform keeps
// it, Capabilities.KeepsSourceURL), and it fails as the platform's client
// would under the same network faults (a status with Retry-After, a
// dropped connection, a write before the failure, latency) and quota
// (WithQuota) as the vendor fake servers take, since such calls go through
// the module's HTTP core:
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
// RunFaultConformance is the table of network faults (in the vocabulary of
// Fault, which the Fake and the vendor fakes' Inject share) that every
// target must meet with the same outcome, and RunFaultConformanceLikeFake
// checks that a vendor client on its fake and the Fake with the platform's
// profile meet them alike. RunBehaviours runs a vendor fake's table of the
// behaviours its platform documents.
//
// Package shopimgtest/fakestore is the engine under every vendor's fake
// server (bigcommercetest, threedcarttest, ...): its Fault, Faults and
// Recorder types are what those servers' Faults and Recorder methods give.
package shopimgtest
