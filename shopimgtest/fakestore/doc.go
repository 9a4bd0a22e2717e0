// Package fakestore is the engine under every vendor's fake server (package
// bigcommerce/bigcommercetest and its siblings). A vendor fake adds only its
// wire format: routes, JSON shapes, status codes and the auth check. This
// package gives it the rest:
//
//   - Catalog: the stateful in-memory catalogue, products holding ordered
//     images of the vendor's own type, with deterministic IDs and GUIDs and
//     atomic, copy-on-write updates;
//   - Recorder: every request that reached the server (method, escaped path,
//     query, headers with secrets redacted, body up to a limit, status sent,
//     time), for assertions and contract tests;
//   - Faults: scripted failures (a status instead of the handler, latency,
//     a dropped connection, AfterApply: the write happens but the client
//     sees a failure, and Before: a hook that changes the state between two
//     requests of a client, as a concurrent editor would);
//   - Quota: fixed-window and leaky-bucket rate limits with the vendor's
//     headers on every response and its 429 over quota;
//   - Handler and Server, which stack them as recorder -> quota -> faults ->
//     vendor handler; InProcess (Handler.Transport), an http.RoundTripper
//     that serves a Handler without any network; Route, which registers a
//     path's methods on a ServeMux with the vendor's own 405; Server.Send
//     for raw-HTTP tests; and the helpers WriteJSON, ReadJSON and QueryInt.
//
// Time comes from a shopimg.Clock (Options.Clock), so with a fake clock a
// test exercises latency and quota resets without sleeping.
//
// A vendor fake is a handler over a Catalog, wrapped in a Server:
//
//	type image struct {
//		ID        int64  `json:"id"`
//		ImageURL  string `json:"image_url"`
//		SortOrder int    `json:"sort_order"`
//	}
//
//	func NewServer(clock shopimg.Clock) (*fakestore.Server, *fakestore.Catalog[image]) {
//		cat := fakestore.NewCatalog[image](fakestore.CatalogOptions{FirstID: 100})
//		mux := http.NewServeMux()
//		mux.HandleFunc("GET /products/{id}/images", func(w http.ResponseWriter, r *http.Request) {
//			imgs, err := cat.Images(r.PathValue("id"))
//			if err != nil {
//				fakestore.WriteJSON(w, http.StatusNotFound, map[string]any{"status": 404, "title": "not found"})
//				return
//			}
//			fakestore.WriteJSON(w, http.StatusOK, map[string]any{"data": imgs})
//		})
//		mux.HandleFunc("POST /products/{id}/images", func(w http.ResponseWriter, r *http.Request) {
//			var in image
//			if err := fakestore.ReadJSON(r, &in, 0); err != nil {
//				fakestore.WriteJSON(w, http.StatusBadRequest, map[string]any{"status": 400, "title": err.Error()})
//				return
//			}
//			err := cat.Update(r.PathValue("id"), func(p *fakestore.Product[image]) error {
//				in.ID, in.SortOrder = cat.NextID(), len(p.Images)
//				p.Images = append(p.Images, in)
//				return nil
//			})
//			if errors.Is(err, fakestore.ErrNoProduct) {
//				fakestore.WriteJSON(w, http.StatusNotFound, map[string]any{"status": 404, "title": "not found"})
//				return
//			}
//			fakestore.WriteJSON(w, http.StatusOK, map[string]any{"data": in})
//		})
//		srv := fakestore.NewServer(mux, fakestore.Options{
//			Clock: clock,
//			Quota: &fakestore.FixedWindow{Limit: 150, Window: 30 * time.Second},
//			QuotaHeaders: func(h http.Header, s fakestore.QuotaState) {
//				h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(s.Limit))
//				h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(s.Remaining))
//				h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(s.ResetIn.Milliseconds(), 10))
//			},
//		})
//		return srv, cat
//	}
//
// A test then scripts failures and checks what was sent:
//
//	srv.Faults().Add(fakestore.Fault{Method: "POST", Path: "/products/1/images", AfterApply: true, Drop: true})
//	// ... call the client: it gets an error matching shopimg.ErrOutcomeUnknown,
//	// yet the catalogue holds the new image.
//	if n := srv.Recorder().Count("POST", "/products/*"); n != 1 { ... }
//
// Everything is safe for concurrent use, and nothing is global: each
// Handler has its own recorder, faults and quota.
package fakestore
