package faulttest

import (
	"context"
	"errors"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
)

// badIDs are IDs no platform takes: empty, with a control character, not
// UTF-8.
var badIDs = []string{"", "\t1", "1\x00", "a\x7f", "\xff\xfe", "1\n2"}

// RunBadInput checks that every adapter operation refuses malformed input
// with an error matching shopimg.ErrInvalidInput before sending anything:
// bad product and image IDs (those above, plus the vendor's own malformed
// ones in badProducts and badImages), a Reorder list with a repeated or malformed ID, an alt
// text that is not UTF-8 or holds a NUL, a source URL with a password, an
// empty update. iid is a well-formed image ID (the image need not exist).
func RunBadInput(t *testing.T, v Vendor, badProducts, badImages []string, iid string) {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	env := v.New(t, clock, false)
	p, pid := env.Images, env.ProductID
	if env.Recorder == nil {
		t.Fatal("Env.Recorder is nil")
	}
	ctx := context.Background()
	ok := shopimg.NewImage{SourceURL: "https://img.example.com/a.jpg"}
	calls := map[string]func() error{}
	for _, bad := range append(append([]string(nil), badIDs...), badProducts...) {
		calls["List("+bad+")"] = func() error { _, err := p.List(ctx, bad); return err }
		calls["Add("+bad+")"] = func() error { _, err := p.Add(ctx, bad, ok); return err }
		calls["Update(product "+bad+")"] = func() error { _, err := p.Update(ctx, bad, iid, shopimg.ImageUpdate{Alt: new("x")}); return err }
		calls["Delete(product "+bad+")"] = func() error { return p.Delete(ctx, bad, iid) }
		calls["Reorder(product "+bad+")"] = func() error { return p.Reorder(ctx, bad, []string{iid}) }
	}
	for _, bad := range append(append([]string(nil), badIDs...), badImages...) {
		calls["Update(image "+bad+")"] = func() error { _, err := p.Update(ctx, pid, bad, shopimg.ImageUpdate{Alt: new("x")}); return err }
		calls["Delete(image "+bad+")"] = func() error { return p.Delete(ctx, pid, bad) }
		calls["Reorder(image "+bad+")"] = func() error { return p.Reorder(ctx, pid, []string{iid, bad}) }
	}
	calls["Reorder(repeated ID)"] = func() error { return p.Reorder(ctx, pid, []string{iid, iid}) }
	for name, img := range map[string]shopimg.NewImage{
		"alt with NUL":      {SourceURL: ok.SourceURL, Alt: "a\x00b"},
		"alt not UTF-8":     {SourceURL: ok.SourceURL, Alt: "a\xffb"},
		"URL with password": {SourceURL: "https://user:secret@img.example.com/a.jpg"},
		"relative URL":      {SourceURL: "/a.jpg"},
		"no source":         {Alt: "x"},
		"negative position": {SourceURL: ok.SourceURL, Position: new(-1)},
	} {
		calls["Add("+name+")"] = func() error { _, err := p.Add(ctx, pid, img); return err }
	}
	for name, u := range map[string]shopimg.ImageUpdate{
		"nothing":       {},
		"alt with NUL":  {Alt: new("\x00")},
		"alt not UTF-8": {Alt: new("\xc3")},
		"main false":    {Main: new(false)},
		"negative":      {Position: new(-2)},
	} {
		calls["Update("+name+")"] = func() error { _, err := p.Update(ctx, pid, iid, u); return err }
	}
	for name, call := range calls {
		before := env.Recorder.Count("", "")
		err := call()
		if !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%q: err = %v, want ErrInvalidInput", name, err)
		}
		if n := env.Recorder.Count("", "") - before; n != 0 {
			t.Errorf("%q sent %d requests before refusing", name, n)
		}
	}
}
