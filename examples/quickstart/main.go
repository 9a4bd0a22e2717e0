// Command quickstart drives the common shopimg.ProductImages interface on
// every platform the library supports, each one running on its embedded fake
// store: no credentials and no network are needed.
//
//	go run ./examples/quickstart
//
// For each platform it adds three images, changes an alt text, reorders them
// and deletes one, where the platform can, and prints the gallery after each
// step; what a platform cannot do natively is reported as unsupported.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/shopimg/shopimg"
)

// store is one platform's ProductImages on a fake, with a product to use.
type store struct {
	name      string
	images    shopimg.ProductImages
	productID string
	close     func()
}

// stores lists the platforms to demonstrate, in order.
var stores = []func() (store, error){
	inMemoryStore,
	bigCommerceStore,
	threeDCartStore,
	sallaStore,
	shoptetStore,
	finerWorksStore,
}

// usage is what -h prints.
const usage = `usage: quickstart

Drives the common shopimg.ProductImages interface on every supported
platform, each on its embedded fake store (no credentials, no network):
adds three images, changes an alt text, reorders, deletes one, and prints
the gallery after each step. It takes no flags but -h.
`

func main() {
	flags := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	flags.Usage = func() { fmt.Fprint(flags.Output(), usage) }
	if err := flags.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	if flags.NArg() > 0 {
		flags.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	for _, open := range stores {
		s, err := open()
		if err != nil {
			return err
		}
		err = demo(ctx, w, s)
		s.close()
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// demo runs the same steps on any platform.
func demo(ctx context.Context, w io.Writer, s store) error {
	p, pid := s.images, s.productID
	caps := p.Capabilities()
	fmt.Fprintf(w, "== %s (product %s)\n", s.name, pid)

	var added []shopimg.Image
	for i, name := range []string{"front", "side", "back"} {
		img := shopimg.NewImage{Alt: strings.ToUpper(name[:1]) + name[1:] + " view"}
		if caps.AddFromURL {
			img.SourceURL = "https://images.example.com/shoe-" + name + ".jpg"
		} else {
			img.File = shopimg.FileFromBytes("shoe-"+name+".jpg", []byte{0xff, 0xd8, 0xff, byte(i)})
		}
		a, err := p.Add(ctx, pid, img)
		if err != nil {
			return fmt.Errorf("add %s: %w", name, err)
		}
		added = append(added, a)
	}
	if err := show(ctx, w, s, "after adding three images"); err != nil {
		return err
	}

	_, err := p.Update(ctx, pid, added[1].ID, shopimg.ImageUpdate{Alt: new("Side view, left")})
	if err := report(ctx, w, s, "after changing an alt text", err); err != nil {
		return err
	}

	err = p.Reorder(ctx, pid, []string{added[2].ID, added[0].ID, added[1].ID})
	if err := report(ctx, w, s, "after putting the back view first", err); err != nil {
		return err
	}

	err = p.Delete(ctx, pid, added[0].ID)
	return report(ctx, w, s, "after deleting the front view", err)
}

// report shows the gallery after a step, or says the step is unsupported.
func report(ctx context.Context, w io.Writer, s store, step string, err error) error {
	if errors.Is(err, shopimg.ErrUnsupported) {
		fmt.Fprintf(w, "-- %s: skipped (%v)\n", step, err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	return show(ctx, w, s, step)
}

func show(ctx context.Context, w io.Writer, s store, step string) error {
	list, err := s.images.List(ctx, s.productID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "-- %s:\n", step)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  pos\tid\tmain\talt\turl")
	for _, img := range list {
		main := ""
		if img.Main {
			main = "yes"
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", img.Position, img.ID, main, img.Alt, img.URL)
	}
	return tw.Flush()
}
