// Command sync mirrors a catalogue's product images from a BigCommerce store
// to a 3dcart store with package imagesync, both stores running on their
// embedded fake servers: no credentials and no network are needed. The
// identity of every copied image is kept in a bbolt file.
//
//	go run ./examples/sync [-products 20] [-state sync.db]
//
// It runs four times: the first copy of every product; a dry run after the
// source changed, printing one product's plan; the sync of those changes,
// which writes only what changed; and a sync interrupted by a dropped
// connection after 3dcart stored an image, whose next run adopts that image
// instead of adding it twice. What 3dcart cannot do (delete an image) is
// reported as drift. Each run prints progress from Run's events, then a
// line per product that did something, and the totals.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/imagesync/boltstore"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

func main() {
	products := flag.Int("products", 20, "products to mirror")
	state := flag.String("state", "", "bbolt state file (default: a new temporary file)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *products, *state); err != nil {
		fmt.Fprintln(os.Stderr, "sync:", err)
		os.Exit(1)
	}
}

// shops are the two fake stores, their adapters and the products to mirror.
type shops struct {
	bc       *bigcommercetest.Server
	tdc      *threedcarttest.Server
	from, to imagesync.Target
	jobs     []imagesync.Job
}

func run(ctx context.Context, w io.Writer, products int, statePath string) error {
	if statePath == "" {
		dir, err := os.MkdirTemp("", "imagesync-example")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		statePath = filepath.Join(dir, "sync.db")
	}
	store, err := boltstore.Open(statePath, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	s, err := newShops(ctx, products)
	if err != nil {
		return err
	}
	defer s.bc.Close()
	defer s.tdc.Close()
	syncer := &imagesync.Syncer{Store: store, Policy: imagesync.Policy{Delete: imagesync.MirrorExact}}

	fmt.Fprintf(w, "== first copy of %d products, BigCommerce -> 3dcart (state in %s)\n", products, filepath.Base(statePath))
	if err := runAll(ctx, w, syncer, s.jobs, false); err != nil {
		return err
	}

	// The source changes: product 0's last image becomes main, one alt text
	// changes, one image is deleted; product 1 gets a new image.
	if err := changeSource(ctx, s.from); err != nil {
		return err
	}
	fmt.Fprintln(w, "\n== dry run after the source changed")
	desired, err := imagesync.Mirror(ctx, s.from, "100")
	if err != nil {
		return err
	}
	if _, err := syncer.DryRun(ctx, s.to, "200", desired, w); err != nil {
		return err
	}
	if err := runAll(ctx, w, syncer, s.jobs, true); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n== sync of the changes")
	if err := runAll(ctx, w, syncer, s.jobs, false); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n== a new image, and the connection drops after 3dcart stored it")
	if _, err := s.from.Images.Add(ctx, "102", shopimg.NewImage{SourceURL: "https://pim.example.com/102/label.jpg", Alt: "Label"}); err != nil {
		return err
	}
	s.tdc.Faults().Add(threedcarttest.Fault{Method: http.MethodPost, Path: threedcarttest.ImagesPath(202), AfterApply: true, Drop: true})
	if err := runAll(ctx, w, syncer, s.jobs, false); err != nil {
		return err
	}
	fmt.Fprintln(w, "-- and again:")
	if err := runAll(ctx, w, syncer, s.jobs, false); err != nil {
		return err
	}
	stored, err := s.tdc.Images(202)
	if err != nil {
		return err
	}
	src, err := s.from.Images.List(ctx, "102")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "product 202 on 3dcart has %d images, its source %d\n", len(stored), len(src))
	return nil
}

// newShops starts the two fakes: products BigCommerce products (100, 101,
// ...) of two to five images each (product 100 has five), and as many empty 3dcart products (200,
// 201, ...), plus a job per pair.
func newShops(ctx context.Context, products int) (*shops, error) {
	clock := shopimgtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	s := &shops{
		bc:  bigcommercetest.NewServer(bigcommercetest.WithClock(clock)),
		tdc: threedcarttest.NewServer(threedcarttest.WithClock(clock)),
	}
	bc, err := s.bc.NewClient(bigcommerce.WithClock(clock))
	if err != nil {
		return nil, err
	}
	tdc, err := s.tdc.NewClient(threedcart.WithClock(clock))
	if err != nil {
		return nil, err
	}
	s.from = imagesync.Target{Platform: "bigcommerce", Store: s.bc.StoreHash(), Images: bc.ProductImages()}
	s.to = imagesync.Target{Platform: "threedcart", Store: s.tdc.Credentials().SecureURL, Images: tdc.ProductImages()}
	for i := range products {
		src, dst := 100+i, 200+i
		s.bc.AddProduct(int64(src))
		s.tdc.AddProduct(int64(dst))
		for j := range 5 - i%4 {
			_, err := s.from.Images.Add(ctx, strconv.Itoa(src), shopimg.NewImage{
				SourceURL: fmt.Sprintf("https://pim.example.com/%d/view-%d.jpg", src, j), Alt: fmt.Sprintf("Product %d, view %d", src, j)})
			if err != nil {
				return nil, err
			}
		}
		s.jobs = append(s.jobs, imagesync.MirrorJob(s.from, strconv.Itoa(src), s.to, strconv.Itoa(dst)))
	}
	return s, nil
}

func changeSource(ctx context.Context, from imagesync.Target) error {
	imgs, err := from.Images.List(ctx, "100")
	if err != nil {
		return err
	}
	ids := make([]string, len(imgs))
	for i, img := range imgs {
		ids[i] = img.ID
	}
	if err := from.Images.Reorder(ctx, "100", append([]string{ids[len(ids)-1]}, ids[:len(ids)-1]...)); err != nil {
		return err
	}
	if _, err := from.Images.Update(ctx, "100", ids[0], shopimg.ImageUpdate{Alt: new("Product 100, front")}); err != nil {
		return err
	}
	if err := from.Images.Delete(ctx, "100", ids[1]); err != nil {
		return err
	}
	_, err = from.Images.Add(ctx, "101", shopimg.NewImage{SourceURL: "https://pim.example.com/101/box.jpg", Alt: "Box"})
	return err
}

// runAll runs the jobs, printing progress every ten products, then a line
// for every product that did something, failed or drifted, then the
// totals.
func runAll(ctx context.Context, w io.Writer, s *imagesync.Syncer, jobs []imagesync.Job, dryRun bool) error {
	progress := func(ev imagesync.Event) {
		// Events come one at a time, in the order of their counts.
		switch c := ev.Counts; {
		case ev.Kind == imagesync.EventThrottled:
			fmt.Fprintf(w, "   (%s throttled, pausing the store %v)\n", ev.Ref.Product, ev.RetryAfter)
		case ev.Kind != imagesync.EventPlanned && c.Done()%10 == 0:
			fmt.Fprintf(w, "   ... %d of %d products done, %d writes so far\n", c.Done(), len(jobs), c.Writes)
		}
	}
	rep, err := s.Run(ctx, slices.Values(jobs), imagesync.RunOptions{Concurrency: 8, PerStore: 2, DryRun: dryRun, Progress: progress})
	if err != nil {
		return err
	}
	for _, res := range rep.Results {
		switch {
		case res.Err != nil:
			fmt.Fprintf(w, "%s: failed: %v (outcome unknown: %v)\n", res.Ref.Product, res.Err, errors.Is(res.Err, shopimg.ErrOutcomeUnknown))
		case dryRun && res.Plan.Writes > 0:
			fmt.Fprintf(w, "%s: would make %d writes\n", res.Ref.Product, res.Plan.Writes)
		case !dryRun && len(res.Done) > 0:
			fmt.Fprintf(w, "%s: %d writes:", res.Ref.Product, res.Writes)
			for _, op := range res.Done {
				fmt.Fprintf(w, " %s", op.Kind)
			}
			fmt.Fprintln(w)
		}
		for _, d := range res.Drift {
			fmt.Fprintf(w, "%s: drift: %s\n", res.Ref.Product, d)
		}
	}
	c := rep.Counts
	fmt.Fprintf(w, "-- %d products: %d applied, %d skipped, %d failed; %d writes, %d drift\n", c.Jobs, c.Applied, c.Skipped, c.Failed, c.Writes, c.Drift)
	return nil
}
