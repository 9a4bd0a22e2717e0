package guard_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
)

// driver is a guard.Driver that records every call and answers from a list
// of images; numeric platforms' IDs are checked as 3dcart's are.
type driver struct {
	caps   shopimg.Capabilities
	images []shopimg.Image
	reason map[guard.Operation]string

	// Optional answers; nil gives a plain success.
	add  func(guard.AddCall) (shopimg.Image, error)
	list func() ([]shopimg.Image, error)

	mu    sync.Mutex
	calls []string
	last  any // the last call's argument
}

func (d *driver) record(call string, arg any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, call)
	d.last = arg
}

func (d *driver) Platform() string                   { return "testvendor" }
func (d *driver) Capabilities() shopimg.Capabilities { return d.caps }
func (d *driver) CheckProductID(id string) error {
	_, err := guard.NumericID("productID", id)
	return err
}
func (d *driver) CheckImageID(id string) error {
	_, err := guard.NumericID("imageID", id)
	return err
}

func (d *driver) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	d.record("List", productID)
	if d.list != nil {
		return d.list()
	}
	return slices.Clone(d.images), nil
}

func (d *driver) Add(ctx context.Context, call guard.AddCall) (shopimg.Image, error) {
	d.record("Add", call)
	if d.add != nil {
		return d.add(call)
	}
	return shopimg.Image{ID: "99", URL: "https://cdn.example/99.png"}, nil
}

func (d *driver) Update(ctx context.Context, call guard.UpdateCall) (shopimg.Image, error) {
	d.record("Update", call)
	img := call.Current[call.From]
	if call.Alt != nil {
		img.Alt = *call.Alt
	}
	return img, nil
}

func (d *driver) Reorder(ctx context.Context, call guard.ReorderCall) error {
	d.record("Reorder", call)
	return nil
}

func (d *driver) Delete(ctx context.Context, productID, imageID string) error {
	d.record("Delete", productID+"/"+imageID)
	return nil
}

func (d *driver) UpdateImages(ctx context.Context, call guard.BatchCall) ([]shopimg.Image, error) {
	d.record("UpdateImages", call)
	return slices.Clone(d.images), nil
}

func (d *driver) Reason(op guard.Operation) string { return d.reason[op] }

func (d *driver) recorded() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.calls)
}

// every capability on, with a flag main image, at most 5 images.
var allCaps = shopimg.Capabilities{
	List: true, AddFromURL: true, AddFromFile: true, AddAtPosition: true, Update: true, Delete: true,
	Reorder: true, MainIsFlag: true, SetMain: true, BatchUpdate: true, MaxImages: 5,
}

// threeImages are 10, 20 and 30, the first flagged main.
func threeImages() []shopimg.Image {
	return []shopimg.Image{{ID: "10", Alt: "a", Main: true}, {ID: "20", Alt: "b"}, {ID: "30", Alt: "c"}}
}

func newDriver(caps shopimg.Capabilities) *driver {
	return &driver{caps: caps, images: threeImages()}
}

// driverWith is newDriver with caps (allCaps when zero) and images
// (threeImages when nil).
func driverWith(caps shopimg.Capabilities, images []shopimg.Image) *driver {
	if caps == (shopimg.Capabilities{}) {
		caps = allCaps
	}
	d := newDriver(caps)
	if images != nil {
		d.images = images
	}
	return d
}

// do is one call on an adapter.
type do func(ctx context.Context, a shopimg.ProductImages) error

func list(pid string) do {
	return func(ctx context.Context, a shopimg.ProductImages) error { _, err := a.List(ctx, pid); return err }
}

func add(pid string, img shopimg.NewImage) do {
	return func(ctx context.Context, a shopimg.ProductImages) error { _, err := a.Add(ctx, pid, img); return err }
}

func update(pid, iid string, u shopimg.ImageUpdate) do {
	return func(ctx context.Context, a shopimg.ProductImages) error {
		_, err := a.Update(ctx, pid, iid, u)
		return err
	}
}

func reorder(pid string, ids ...string) do {
	return func(ctx context.Context, a shopimg.ProductImages) error { return a.Reorder(ctx, pid, ids) }
}

func del(pid, iid string) do {
	return func(ctx context.Context, a shopimg.ProductImages) error { return a.Delete(ctx, pid, iid) }
}

func batch(pid string, b shopimg.BatchUpdate) do {
	return func(ctx context.Context, a shopimg.ProductImages) error {
		_, err := a.(shopimg.BatchUpdater).UpdateImages(ctx, pid, b)
		return err
	}
}

func url(s string) shopimg.NewImage { return shopimg.NewImage{SourceURL: s} }

var png = shopimg.FileFromBytes("a.png", []byte("png"))

// badIDs are refused by the guard's own check or by the driver's.
var badIDs = []string{"", "\t1", "\x00", "1\x00", "\xff", "1\n", "1\x7f", " 1", "1 ", "abc", "-1", "+1", "0", "1.5", "٣"}

// TestRefusedBeforeAnyCall: every invalid argument and every operation the
// capabilities do not allow is refused before the driver is called at all,
// with an error of the right category.
func TestRefusedBeforeAnyCall(t *testing.T) {
	t.Parallel()
	type tc struct {
		name string
		caps shopimg.Capabilities
		do   do
		want error
	}
	var cases []tc
	for _, id := range badIDs {
		cases = append(cases,
			tc{"List product " + id, allCaps, list(id), shopimg.ErrInvalidInput},
			tc{"Add product " + id, allCaps, add(id, url("https://x.example/a.png")), shopimg.ErrInvalidInput},
			tc{"Update product " + id, allCaps, update(id, "10", shopimg.ImageUpdate{Alt: new("x")}), shopimg.ErrInvalidInput},
			tc{"Update image " + id, allCaps, update("1", id, shopimg.ImageUpdate{Alt: new("x")}), shopimg.ErrInvalidInput},
			tc{"Reorder product " + id, allCaps, reorder(id, "10", "20", "30"), shopimg.ErrInvalidInput},
			tc{"Reorder image " + id, allCaps, reorder("1", "10", id, "30"), shopimg.ErrInvalidInput},
			tc{"Delete product " + id, allCaps, del(id, "10"), shopimg.ErrInvalidInput},
			tc{"Delete image " + id, allCaps, del("1", id), shopimg.ErrInvalidInput},
			tc{"UpdateImages product " + id, allCaps, batch(id, shopimg.BatchUpdate{Alt: map[string]string{"10": "x"}}), shopimg.ErrInvalidInput},
			tc{"UpdateImages order " + id, allCaps, batch("1", shopimg.BatchUpdate{Order: []string{"10", id, "30"}}), shopimg.ErrInvalidInput},
			tc{"UpdateImages alt key " + id, allCaps, batch("1", shopimg.BatchUpdate{Alt: map[string]string{id: "x"}}), shopimg.ErrInvalidInput},
		)
	}
	for name, img := range map[string]shopimg.NewImage{
		"no source":          {},
		"two sources":        {SourceURL: "https://x.example/a.png", File: png},
		"ftp URL":            url("ftp://x.example/a.png"),
		"relative URL":       url("/a.png"),
		"URL with password":  url("https://user:pw@x.example/a.png"),
		"URL with a space":   url("https://x.example/a b.png"),
		"URL with a newline": url("https://x.example/a.png\n"),
		"file without name":  {File: &shopimg.File{Open: png.Open}},
		"file without Open":  {File: &shopimg.File{Name: "a.png"}},
		"file name with NUL": {File: &shopimg.File{Name: "a\x00.png", Open: png.Open}},
		"alt with NUL":       {SourceURL: "https://x.example/a.png", Alt: "a\x00"},
		"alt not UTF-8":      {SourceURL: "https://x.example/a.png", Alt: "\xc3"},
		"alt with escape":    {SourceURL: "https://x.example/a.png", Alt: "\x1b[31m"},
		"negative position":  {SourceURL: "https://x.example/a.png", Position: new(-1)},
		"main not at 0":      {SourceURL: "https://x.example/a.png", Main: true, Position: new(2)},
	} {
		cases = append(cases, tc{"Add " + name, allCaps, add("1", img), shopimg.ErrInvalidInput})
	}
	for name, u := range map[string]shopimg.ImageUpdate{
		"nothing":           {},
		"alt with NUL":      {Alt: new("\x00")},
		"alt not UTF-8":     {Alt: new("\xff")},
		"negative position": {Position: new(-2)},
		"main false":        {Main: new(false)},
		"main not at 0":     {Main: new(true), Position: new(1)},
	} {
		cases = append(cases, tc{"Update " + name, allCaps, update("1", "10", u), shopimg.ErrInvalidInput})
	}
	cases = append(cases,
		tc{"Reorder an ID twice", allCaps, reorder("1", "10", "10", "30"), shopimg.ErrInvalidInput},
		tc{"Reorder an empty ID", allCaps, reorder("1", "10", "", "30"), shopimg.ErrInvalidInput},
		tc{"UpdateImages an ID twice", allCaps, batch("1", shopimg.BatchUpdate{Order: []string{"20", "20", "10"}}), shopimg.ErrInvalidInput},
		tc{"UpdateImages alt with NUL", allCaps, batch("1", shopimg.BatchUpdate{Alt: map[string]string{"10": "\x00"}}), shopimg.ErrInvalidInput},
		tc{"UpdateImages alt not UTF-8", allCaps, batch("1", shopimg.BatchUpdate{Alt: map[string]string{"10": "ok", "20": "\xff"}}), shopimg.ErrInvalidInput},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDriver(tc.caps)
			err := tc.do(context.Background(), guard.New(d))
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if calls := d.recorded(); len(calls) != 0 {
				t.Errorf("driver called: %v", calls)
			}
		})
	}
}

// without returns allCaps with the fields f clears.
func without(f func(*shopimg.Capabilities)) shopimg.Capabilities {
	c := allCaps
	f(&c)
	return c
}

// TestUnsupportedBeforeAnyCall: an operation a capability does not allow
// is refused with a *shopimg.UnsupportedError naming it in the guard's
// words, and the driver's reason when it gives one, before any call.
func TestUnsupportedBeforeAnyCall(t *testing.T) {
	t.Parallel()
	noMain := without(func(c *shopimg.Capabilities) { c.SetMain, c.Reorder, c.MainIsFlag = false, false, false })
	cases := []struct {
		name string
		caps shopimg.Capabilities
		do   do
		op   guard.Operation
	}{
		{"list", without(func(c *shopimg.Capabilities) { c.List = false }), list("1"), guard.OpList},
		{"add from URL", without(func(c *shopimg.Capabilities) { c.AddFromURL = false }), add("1", url("https://x.example/a.png")), guard.OpAddURL},
		{"add a file", without(func(c *shopimg.Capabilities) { c.AddFromFile = false }), add("1", shopimg.NewImage{File: png}), guard.OpAddFile},
		{"add as main without a main image", noMain, add("1", shopimg.NewImage{File: png, Main: true}), guard.OpSetMain},
		{"update alt", without(func(c *shopimg.Capabilities) { c.Update = false }), update("1", "10", shopimg.ImageUpdate{Alt: new("x")}), guard.OpUpdateAlt},
		{"move", without(func(c *shopimg.Capabilities) { c.Reorder = false }), update("1", "10", shopimg.ImageUpdate{Position: new(1)}), guard.OpMove},
		{"set main", without(func(c *shopimg.Capabilities) { c.SetMain = false }), update("1", "20", shopimg.ImageUpdate{Main: new(true)}), guard.OpSetMain},
		{"reorder", without(func(c *shopimg.Capabilities) { c.Reorder = false }), reorder("1", "10", "20", "30"), guard.OpReorder},
		{"delete", without(func(c *shopimg.Capabilities) { c.Delete = false }), del("1", "10"), guard.OpDelete},
		{"batch order", without(func(c *shopimg.Capabilities) { c.Reorder = false }), batch("1", shopimg.BatchUpdate{Order: []string{"10", "20", "30"}}), guard.OpReorder},
		{"batch alt", without(func(c *shopimg.Capabilities) { c.Update = false }), batch("1", shopimg.BatchUpdate{Alt: map[string]string{"10": "x"}}), guard.OpUpdateAlt},
	}
	for _, tc := range cases {
		for _, reason := range []string{"", "the API has no such endpoint"} {
			t.Run(tc.name+"/"+reason, func(t *testing.T) {
				t.Parallel()
				d := newDriver(tc.caps)
				d.reason = map[guard.Operation]string{tc.op: reason}
				err := tc.do(context.Background(), guard.New(d))
				var ue *shopimg.UnsupportedError
				if !errors.As(err, &ue) || !errors.Is(err, shopimg.ErrUnsupported) {
					t.Fatalf("err = %v, want an UnsupportedError", err)
				}
				want := &shopimg.UnsupportedError{Platform: "testvendor", Operation: string(tc.op), Reason: reason}
				if reason == "" {
					want.Reason = "the platform's API cannot do it"
				}
				if diff := cmp.Diff(want, ue); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				if calls := d.recorded(); len(calls) != 0 {
					t.Errorf("driver called: %v", calls)
				}
			})
		}
	}
}

// TestRefusedAfterListing: what depends on the product's images is refused
// after listing them, before any write.
func TestRefusedAfterListing(t *testing.T) {
	t.Parallel()
	full := newDriver(allCaps).images
	for i := range 2 {
		full = append(full, shopimg.Image{ID: fmt.Sprint(40 + i*10)})
	}
	appendOnly := without(func(c *shopimg.Capabilities) { c.AddAtPosition = false })
	cases := []struct {
		name   string
		caps   shopimg.Capabilities
		images []shopimg.Image
		do     do
		want   error
		op     guard.Operation
	}{
		{name: "reorder missing an image", do: reorder("1", "10", "20"), want: shopimg.ErrInvalidInput},
		{name: "reorder with an extra image", do: reorder("1", "10", "20", "30", "40"), want: shopimg.ErrInvalidInput},
		{name: "reorder with a stranger", do: reorder("1", "10", "20", "40"), want: shopimg.ErrInvalidInput},
		{name: "reorder an empty list", do: reorder("1"), want: shopimg.ErrInvalidInput},
		{name: "add past the end", do: add("1", shopimg.NewImage{File: png, Position: new(4)}), want: shopimg.ErrInvalidInput},
		{name: "add to a full product", images: full, do: add("1", shopimg.NewImage{File: png}), want: shopimg.ErrInvalidInput},
		{name: "add at a position, append only", caps: appendOnly, do: add("1", shopimg.NewImage{File: png, Position: new(1)}), want: shopimg.ErrUnsupported, op: guard.OpAddAt},
		{name: "add as main, append only", caps: appendOnly, do: add("1", shopimg.NewImage{File: png, Main: true}), want: shopimg.ErrUnsupported, op: guard.OpAddMain},
		{name: "update past the end", do: update("1", "20", shopimg.ImageUpdate{Position: new(3)}), want: shopimg.ErrInvalidInput},
		{name: "update a stranger", do: update("1", "40", shopimg.ImageUpdate{Alt: new("x")}), want: shopimg.ErrNotFound},
		{name: "batch order not a permutation", do: batch("1", shopimg.BatchUpdate{Order: []string{"30", "20"}}), want: shopimg.ErrInvalidInput},
		{name: "batch alt of a stranger", do: batch("1", shopimg.BatchUpdate{Alt: map[string]string{"40": "x"}}), want: shopimg.ErrNotFound},
		{name: "listing names an image twice", images: []shopimg.Image{{ID: "10"}, {ID: "10"}}, do: reorder("1", "10"), want: shopimg.ErrConflict},
		{name: "listing has an image without ID", images: []shopimg.Image{{ID: "10"}, {}}, do: update("1", "10", shopimg.ImageUpdate{Alt: new("x")}), want: shopimg.ErrConflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := driverWith(tc.caps, tc.images)
			err := tc.do(context.Background(), guard.New(d))
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			var ue *shopimg.UnsupportedError
			if tc.op != "" && (!errors.As(err, &ue) || ue.Operation != string(tc.op)) {
				t.Errorf("err = %v, want operation %q", err, tc.op)
			}
			if diff := cmp.Diff([]string{"List"}, d.recorded()); diff != "" {
				t.Errorf("driver calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDuplicateListingIsConflict: a listing that names an image twice is
// refused with ErrConflict on List too.
func TestDuplicateListingIsConflict(t *testing.T) {
	t.Parallel()
	d := newDriver(allCaps)
	d.images = []shopimg.Image{{ID: "10"}, {ID: "20"}, {ID: "10"}}
	if _, err := guard.New(d).List(context.Background(), "1"); !errors.Is(err, shopimg.ErrConflict) {
		t.Errorf("err = %v, want ErrConflict", err)
	}
}

// TestNoOpsSendNothing: an update or reorder that changes nothing lists the
// product and writes nothing; one that only makes the first image main (a
// flag not yet set) writes.
func TestNoOpsSendNothing(t *testing.T) {
	t.Parallel()
	unflagged := threeImages()
	unflagged[0].Main = false
	batchNoFlag := without(func(c *shopimg.Capabilities) { c.MainIsFlag, c.SetMain, c.BatchReorder = false, false, true })
	cases := []struct {
		name   string
		caps   shopimg.Capabilities
		images []shopimg.Image
		do     do
		write  string // the write expected, "" for none
	}{
		{name: "same alt", do: update("1", "20", shopimg.ImageUpdate{Alt: new("b")})},
		{name: "same position", do: update("1", "20", shopimg.ImageUpdate{Position: new(1)})},
		{name: "same alt and position", do: update("1", "30", shopimg.ImageUpdate{Alt: new("c"), Position: new(2)})},
		{name: "main already", do: update("1", "10", shopimg.ImageUpdate{Main: new(true)})},
		{name: "first already, to 0", do: update("1", "10", shopimg.ImageUpdate{Position: new(0)})},
		{name: "same order", do: reorder("1", "10", "20", "30")},
		{name: "batch without change", do: batch("1", shopimg.BatchUpdate{Order: []string{"10", "20", "30"}, Alt: map[string]string{"20": "b"}})},
		{name: "batch empty", do: batch("1", shopimg.BatchUpdate{})},
		// The main image is the first one where it is no flag: the driver
		// need not mark it.
		{name: "same order, main is no flag", caps: batchNoFlag, images: unflagged, do: reorder("1", "10", "20", "30")},
		{name: "first to 0, main is no flag", caps: batchNoFlag, images: unflagged, do: update("1", "10", shopimg.ImageUpdate{Position: new(0)})},
		{name: "batch same order, main is no flag", caps: batchNoFlag, images: unflagged, do: batch("1", shopimg.BatchUpdate{Order: []string{"10", "20", "30"}})},
		// Where it is a flag, flagging the first image is a write.
		{name: "same order, first not flagged", images: unflagged, do: reorder("1", "10", "20", "30"), write: "Reorder"},
		{name: "main, first not flagged", images: unflagged, do: update("1", "10", shopimg.ImageUpdate{Main: new(true)}), write: "Update"},
		{name: "batch same order, first not flagged", images: unflagged, do: batch("1", shopimg.BatchUpdate{Order: []string{"10", "20", "30"}}), write: "UpdateImages"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := driverWith(tc.caps, tc.images)
			if err := tc.do(context.Background(), guard.New(d)); err != nil {
				t.Fatal(err)
			}
			want := []string{"List"}
			if tc.write != "" {
				want = append(want, tc.write)
			}
			if diff := cmp.Diff(want, d.recorded()); diff != "" {
				t.Errorf("driver calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCallsTheDriverGets: what the guard resolves (positions, the target
// order, the changed alt texts, the main flag) reaches the driver.
func TestCallsTheDriverGets(t *testing.T) {
	t.Parallel()
	cur := threeImages()
	for i := range cur {
		cur[i].Position, cur[i].ProductID = i, "1"
	}
	cases := []struct {
		name string
		do   do
		want any
	}{
		{"add at the end", add("1", shopimg.NewImage{File: png}),
			guard.AddCall{ProductID: "1", Image: shopimg.NewImage{File: png}, Position: 3, Current: cur, Listed: true}},
		{"add as main", add("1", shopimg.NewImage{File: png, Main: true}),
			guard.AddCall{ProductID: "1", Image: shopimg.NewImage{File: png, Main: true}, Position: 0, Current: cur, Listed: true}},
		{"move and change alt", update("1", "30", shopimg.ImageUpdate{Alt: new("new"), Position: new(1)}),
			guard.UpdateCall{ProductID: "1", ImageID: "30", Current: cur, From: 2, To: 1, Target: []string{"10", "30", "20"}, Alt: new("new")}},
		{"make main", update("1", "20", shopimg.ImageUpdate{Main: new(true)}),
			guard.UpdateCall{ProductID: "1", ImageID: "20", Current: cur, From: 1, To: 0, Target: []string{"20", "10", "30"}, Main: true}},
		{"move to 0", update("1", "30", shopimg.ImageUpdate{Position: new(0)}),
			guard.UpdateCall{ProductID: "1", ImageID: "30", Current: cur, From: 2, To: 0, Target: []string{"30", "10", "20"}, Main: true}},
		{"reorder", reorder("1", "30", "10", "20"),
			guard.ReorderCall{ProductID: "1", Current: cur, Target: []string{"30", "10", "20"}}},
		{"batch", batch("1", shopimg.BatchUpdate{Order: []string{"20", "10", "30"}, Alt: map[string]string{"10": "a", "30": "new"}}),
			guard.BatchCall{ProductID: "1", Current: cur, Order: []string{"20", "10", "30"}, Alt: map[string]string{"30": "new"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDriver(allCaps)
			if err := tc.do(context.Background(), guard.New(d)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, d.last, cmpopts.IgnoreFields(shopimg.File{}, "Open")); diff != "" {
				t.Errorf("driver call (-want +got):\n%s", diff)
			}
		})
	}
}

var categories = []error{
	shopimg.ErrNotFound, shopimg.ErrUnauthorized, shopimg.ErrRateLimited, shopimg.ErrInvalidInput,
	shopimg.ErrUnsupported, shopimg.ErrConflict, shopimg.ErrUnavailable, shopimg.ErrOutcomeUnknown, shopimg.ErrAdded,
}

// matching lists the categories err matches.
func matching(err error) []error {
	var out []error
	for _, c := range categories {
		if errors.Is(err, c) {
			out = append(out, c)
		}
	}
	return out
}

// TestAddOutcomes: an image the driver returns with an ID comes back with
// any error marked ErrAdded and nothing else (so a caller retrying on the
// cause's category cannot add it twice); one without an ID is no image.
func TestAddOutcomes(t *testing.T) {
	t.Parallel()
	errLimited := fmt.Errorf("moving it: %w", shopimg.ErrRateLimited)
	added := shopimg.Image{ID: "99", URL: "https://cdn.example/99.png"}
	cases := []struct {
		name    string
		img     shopimg.Image
		err     error
		wantImg shopimg.Image
		want    []error
		cause   error
	}{
		{name: "created", img: added, wantImg: shopimg.Image{ID: "99", ProductID: "1", URL: added.URL, Position: 3}},
		{name: "created, follow-up failed", img: added, err: errLimited,
			wantImg: shopimg.Image{ID: "99", ProductID: "1", URL: added.URL, Position: 3}, want: []error{shopimg.ErrAdded}, cause: errLimited},
		{name: "created, driver marked it added", img: added, err: guard.Added(added, "read it back", errLimited),
			wantImg: shopimg.Image{ID: "99", ProductID: "1", URL: added.URL, Position: 3}, want: []error{shopimg.ErrAdded}, cause: errLimited},
		{name: "created, an error wrapping ErrAdded and more", img: added, err: errors.Join(guard.Added(added, "x", errLimited), shopimg.ErrConflict),
			wantImg: shopimg.Image{ID: "99", ProductID: "1", URL: added.URL, Position: 3}, want: []error{shopimg.ErrAdded}},
		{name: "no ID, no error", img: shopimg.Image{URL: "https://cdn.example/x.png"}, want: []error{shopimg.ErrOutcomeUnknown}},
		{name: "no ID, an error", err: fmt.Errorf("boom: %w", shopimg.ErrUnavailable), want: []error{shopimg.ErrUnavailable}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDriver(allCaps)
			d.add = func(guard.AddCall) (shopimg.Image, error) { return tc.img, tc.err }
			got, err := guard.New(d).Add(context.Background(), "1", shopimg.NewImage{File: png})
			if diff := cmp.Diff(tc.wantImg, got); diff != "" {
				t.Errorf("image (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, matching(err), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("err = %v: categories (-want +got):\n%s", err, diff)
			}
			var ae *shopimg.AddedError
			if errors.As(err, &ae) {
				if diff := cmp.Diff(tc.wantImg, ae.Image); diff != "" {
					t.Errorf("AddedError.Image (-want +got):\n%s", diff)
				}
				if tc.cause != nil && !errors.Is(ae.Err, tc.cause) {
					t.Errorf("AddedError.Err = %v, want %v", ae.Err, tc.cause)
				}
			}
		})
	}
}

// TestListNormalizes: List sets positions and product IDs, and Main only on
// the first image: always where the main image is the first one, where the
// driver flags it where it is a flag, never where there is none.
func TestListNormalizes(t *testing.T) {
	t.Parallel()
	noMain := without(func(c *shopimg.Capabilities) { c.SetMain, c.Reorder, c.MainIsFlag = false, false, false })
	noFlag := without(func(c *shopimg.Capabilities) { c.MainIsFlag = false })
	cases := []struct {
		name string
		caps shopimg.Capabilities
		main []bool // what the driver reports
		want []bool
	}{
		{"flag on the first", allCaps, []bool{true, false, false}, []bool{true, false, false}},
		{"no flag set", allCaps, []bool{false, false, false}, []bool{false, false, false}},
		{"flag on a later image", allCaps, []bool{false, true, false}, []bool{false, false, false}},
		{"main is the first, unmarked", noFlag, []bool{false, false, false}, []bool{true, false, false}},
		{"main is the first, a later marked", noFlag, []bool{false, false, true}, []bool{true, false, false}},
		{"no main image", noMain, []bool{true, false, false}, []bool{false, false, false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDriver(tc.caps)
			for i := range d.images {
				d.images[i].Main = tc.main[i]
			}
			got, err := guard.New(d).List(context.Background(), "7")
			if err != nil {
				t.Fatal(err)
			}
			var mains []bool
			for i, img := range got {
				mains = append(mains, img.Main)
				if img.Position != i || img.ProductID != "7" {
					t.Errorf("image %d: Position %d, ProductID %q", i, img.Position, img.ProductID)
				}
			}
			if diff := cmp.Diff(tc.want, mains); diff != "" {
				t.Errorf("Main (-want +got):\n%s", diff)
			}
		})
	}
	d := newDriver(allCaps)
	d.images = nil
	if got, err := guard.New(d).List(context.Background(), "7"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("no images: got %#v, %v; want an empty slice", got, err)
	}
}

// TestDriverErrorsPassThrough: a driver's error comes back as it is.
func TestDriverErrorsPassThrough(t *testing.T) {
	t.Parallel()
	errList := fmt.Errorf("listing: %w", shopimg.ErrUnauthorized)
	d := newDriver(allCaps)
	d.list = func() ([]shopimg.Image, error) { return nil, errList }
	a := guard.New(d)
	for name, do := range map[string]do{
		"List": list("1"), "Add": add("1", shopimg.NewImage{File: png}), "Update": update("1", "10", shopimg.ImageUpdate{Alt: new("x")}),
		"Reorder": reorder("1", "10", "20", "30"), "UpdateImages": batch("1", shopimg.BatchUpdate{Alt: map[string]string{"10": "x"}}),
	} {
		if err := do(context.Background(), a); !errors.Is(err, errList) {
			t.Errorf("%s: err = %v, want the driver's", name, err)
		}
	}
}

// TestNewWithoutBatcherPanics: a driver claiming BatchUpdate must implement
// it.
func TestNewWithoutBatcherPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "UpdateImages") {
			t.Errorf("recovered %v, want a panic naming UpdateImages", r)
		}
	}()
	guard.New(struct{ guard.Driver }{newDriver(allCaps)})
}

// TestHelpers covers the exported checks drivers use.
func TestHelpers(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]int64{"1": 1, "42": 42, "9223372036854775807": 1<<63 - 1} {
		if n, err := guard.NumericID("id", s); err != nil || n != want {
			t.Errorf("NumericID(%q) = %d, %v; want %d", s, n, err, want)
		}
	}
	for _, s := range append(badIDs, "9223372036854775808", "007x") {
		if _, err := guard.NumericID("id", s); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("NumericID(%q): err = %v, want ErrInvalidInput", s, err)
		}
	}
	for _, tc := range []struct {
		pos, n int
		ok     bool
	}{{0, 1, true}, {2, 3, true}, {3, 3, false}, {-1, 3, false}, {0, 0, false}} {
		if err := guard.CheckPosition(tc.pos, tc.n); (err == nil) != tc.ok {
			t.Errorf("CheckPosition(%d, %d) = %v", tc.pos, tc.n, err)
		}
	}
	cur := []string{"a", "b", "c"}
	for _, tc := range []struct {
		ids []string
		ok  bool
	}{{[]string{"c", "a", "b"}, true}, {[]string{"a", "b"}, false}, {[]string{"a", "a", "b"}, false},
		{[]string{"a", "b", "d"}, false}, {[]string{"a", "", "b"}, false}, {nil, false}} {
		if err := guard.CheckPermutation(cur, tc.ids); (err == nil) != tc.ok || (err != nil && !errors.Is(err, shopimg.ErrInvalidInput)) {
			t.Errorf("CheckPermutation(%q) = %v", tc.ids, err)
		}
	}
	if err := guard.ValidateID("imageID", "\x00"); !errors.Is(err, shopimg.ErrInvalidInput) || !strings.Contains(err.Error(), "imageID") {
		t.Errorf("ValidateID: %v", err)
	}
	if err := guard.NotFound("p", "1", "2"); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("NotFound: %v", err)
	}
	if err := guard.Changed("p", "1", "x"); !errors.Is(err, shopimg.ErrConflict) {
		t.Errorf("Changed: %v", err)
	}
}
