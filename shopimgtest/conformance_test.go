package shopimgtest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
)

func runOnFake(t *testing.T, caps shopimg.Capabilities, opts ...shopimgtest.Option) {
	t.Helper()
	shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
		f := shopimgtest.NewFake(append([]shopimgtest.Option{shopimgtest.WithCapabilities(caps)}, opts...)...)
		f.AddProduct("p1")
		return f, "p1"
	})
}

// TestConformanceEachCapabilityOff runs the suite on FullProfile with each
// capability turned off in turn (AsyncAdd turned on), and with small limits,
// so every branch of the table that depends on a capability is taken.
func TestConformanceEachCapabilityOff(t *testing.T) {
	t.Parallel()
	full := reflect.ValueOf(shopimgtest.FullProfile)
	for i := range full.NumField() {
		field := full.Type().Field(i)
		if field.Type.Kind() != reflect.Bool {
			continue
		}
		t.Run(field.Name, func(t *testing.T) {
			t.Parallel()
			caps := shopimgtest.FullProfile
			f := reflect.ValueOf(&caps).Elem().Field(i)
			f.SetBool(!f.Bool())
			runOnFake(t, caps)
		})
	}
	limits := map[string]shopimg.Capabilities{
		"MaxImages=1":  {List: true, AddFromURL: true, Update: true, Delete: true, MaxImages: 1},
		"MaxImages=4":  {List: true, AddFromFile: true, AddAtPosition: true, Update: true, Delete: true, Reorder: true, SetMain: true, MaxImages: 4},
		"MaxPerCall=2": {List: true, AddFromURL: true, Update: true, Delete: true, Reorder: true, BatchReorder: true, BatchUpdate: true, MaxPerCall: 2},
		"FilesOnly":    {List: true, AddFromFile: true, Update: true, Delete: true, Reorder: true, SetMain: true},
		"NothingAtAll": {},
	}
	for name, caps := range limits {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runOnFake(t, caps)
		})
	}
}

// broken is a Fake with one bug, for checking that RunConformance notices.
type broken struct {
	*shopimgtest.Fake
	bug string
}

var bugs = map[string]struct {
	caps      shopimg.Capabilities
	wantFails []string // conformance cases that must fail
}{
	"list reversed":           {shopimgtest.FullProfile, []string{"AddAppendsInOrder", "Reorder"}},
	"reorder does nothing":    {shopimgtest.FullProfile, []string{"Reorder"}},
	"reorder not validated":   {shopimgtest.FullProfile, []string{"ReorderRejectsNonPermutations"}},
	"delete does nothing":     {shopimgtest.FullProfile, []string{"Delete"}},
	"alt dropped":             {shopimgtest.FullProfile, []string{"AddFromURL", "UpdateAlt"}},
	"no main image":           {shopimgtest.FullProfile, []string{"AddFromURL", "SetMain"}},
	"delete despite caps":     {shopimgtest.ThreeDCartProfile, []string{"Delete"}},
	"unknown image accepted":  {shopimgtest.FullProfile, []string{"UnknownImageIsNotFound"}},
	"context ignored":         {shopimgtest.FullProfile, []string{"CancelledContext"}},
	"positions from 1":        {shopimgtest.FullProfile, []string{"AddAppendsInOrder", "AddFromURL", "Delete"}},
	"limit not enforced":      {shopimgtest.SallaProfile, []string{"MaxImagesIsEnforced"}},
	"empty product ID passes": {shopimgtest.FullProfile, []string{"InvalidInputIsRejected"}},
}

func (b *broken) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	if b.bug == "empty product ID passes" && productID == "" {
		return nil, nil
	}
	if b.bug == "context ignored" {
		ctx = context.Background()
	}
	list, err := b.Fake.List(ctx, productID)
	for i := range list {
		switch b.bug {
		case "alt dropped":
			list[i].Alt = ""
		case "no main image":
			list[i].Main = false
		case "positions from 1":
			list[i].Position++
		}
	}
	if b.bug == "list reversed" {
		slices.Reverse(list)
	}
	return list, err
}

func (b *broken) Reorder(ctx context.Context, productID string, ids []string) error {
	switch b.bug {
	case "reorder does nothing":
		return nil
	case "reorder not validated":
		if err := b.Fake.Reorder(ctx, productID, ids); !errors.Is(err, shopimg.ErrInvalidInput) {
			return err
		}
		return nil
	}
	return b.Fake.Reorder(ctx, productID, ids)
}

func (b *broken) Delete(ctx context.Context, productID, imageID string) error {
	switch b.bug {
	case "delete does nothing":
		return nil
	case "unknown image accepted":
		if err := b.Fake.Delete(ctx, productID, imageID); !errors.Is(err, shopimg.ErrNotFound) {
			return err
		}
		return nil
	case "delete despite caps":
		f := shopimgtest.NewFake()
		f.Seed(productID, b.Fake.Images(productID)...)
		if err := f.Delete(ctx, productID, imageID); err != nil {
			return err
		}
		b.Fake.Seed(productID, f.Images(productID)...)
		return nil
	}
	return b.Fake.Delete(ctx, productID, imageID)
}

func (b *broken) Add(ctx context.Context, productID string, img shopimg.NewImage) (shopimg.Image, error) {
	if b.bug == "limit not enforced" {
		if imgs := b.Fake.Images(productID); len(imgs) >= b.Capabilities().MaxImages {
			return b.Fake.Seed(productID, append(imgs, shopimg.Image{URL: img.SourceURL})...)[len(imgs)], nil
		}
	}
	got, err := b.Fake.Add(ctx, productID, img)
	if b.bug == "alt dropped" {
		got.Alt = ""
	}
	return got, err
}

const bugEnv = "SHOPIMGTEST_CONFORMANCE_BUG"

// TestBrokenTarget runs the suite on a broken Fake; it is run only as a
// child process of TestConformanceCatchesBugs, and must fail there.
func TestBrokenTarget(t *testing.T) {
	bug := os.Getenv(bugEnv)
	if bug == "" {
		t.Skip("run by TestConformanceCatchesBugs")
	}
	spec, ok := bugs[bug]
	if !ok {
		t.Fatalf("unknown bug %q", bug)
	}
	shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
		f := shopimgtest.NewFake(shopimgtest.WithCapabilities(spec.caps))
		f.AddProduct("p1")
		return &broken{Fake: f, bug: bug}, "p1"
	})
}

// TestConformanceCatchesBugs checks the checker: for each planted bug, the
// suite fails, in the cases that should notice it.
func TestConformanceCatchesBugs(t *testing.T) {
	t.Parallel()
	if os.Getenv(bugEnv) != "" {
		t.Skip("inside a child process")
	}
	failRE := regexp.MustCompile(`--- FAIL: TestBrokenTarget/(\w+)`)
	for bug, spec := range bugs {
		t.Run(bug, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenTarget$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), bugEnv+"="+bug)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite passed on a target with bug %q (err %v):\n%s", bug, err, out)
			}
			var failed []string
			for _, m := range failRE.FindAllStringSubmatch(string(out), -1) {
				failed = append(failed, m[1])
			}
			for _, want := range spec.wantFails {
				if !slices.Contains(failed, want) {
					t.Errorf("case %s did not fail; failed: %v\n%s", want, failed, tail(string(out), 40))
				}
			}
		})
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
