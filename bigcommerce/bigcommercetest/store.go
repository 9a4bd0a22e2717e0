package bigcommercetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// ShiftRule is how the server applies a written sort_order to the other
// images of the product (see the package documentation).
type ShiftRule int

const (
	// ShiftInsert adds one to every other image at or after the written
	// sort_order, on every write of it, creates included (the default).
	ShiftInsert ShiftRule = iota
	// ShiftLowerPriority does so only when an update raises the image's
	// sort_order (gives it a lower priority), and on a create with a
	// sort_order.
	ShiftLowerPriority
	// ShiftLowerPriorityUpdates does so only when an update raises the
	// image's sort_order; a create stores its sort_order as sent.
	ShiftLowerPriorityUpdates
	// ShiftNone stores sort_order as sent and shifts nothing.
	ShiftNone
)

var shiftNames = [...]string{"shift-insert", "shift-lower-priority", "shift-lower-priority-updates", "shift-none"}

// String names the rule.
func (r ShiftRule) String() string {
	if r >= 0 && int(r) < len(shiftNames) {
		return shiftNames[r]
	}
	return "ShiftRule(" + strconv.Itoa(int(r)) + ")"
}

// shiftTable says, for each rule, whether a create with a sort_order, an
// update raising an image's sort_order, and any other update shift the
// others.
var shiftTable = [...]struct{ create, raise, other bool }{
	ShiftInsert:               {true, true, true},
	ShiftLowerPriority:        {true, true, false},
	ShiftLowerPriorityUpdates: {false, true, false},
	ShiftNone:                 {false, false, false},
}

// shifts reports whether a write of sort_order shifts the others: a create
// with one, or an update from old to the value written.
func (r ShiftRule) shifts(create bool, old, written int) bool {
	row := shiftTable[r]
	if create {
		return row.create
	}
	return written > old && row.raise || row.other
}

// ThumbnailRule is what happens to the thumbnail flag when the thumbnail
// is deleted.
type ThumbnailRule int

const (
	// ThumbnailPromote gives the flag to the first remaining image by
	// sort_order, then ID (the default).
	ThumbnailPromote ThumbnailRule = iota
	// ThumbnailNone gives it to no image, unless exactly one remains.
	ThumbnailNone
)

var thumbnailNames = [...]string{"thumbnail-promote", "thumbnail-none"}

// String names the rule.
func (r ThumbnailRule) String() string {
	if r >= 0 && int(r) < len(thumbnailNames) {
		return thumbnailNames[r]
	}
	return "ThumbnailRule(" + strconv.Itoa(int(r)) + ")"
}

// Reading is one reading of what BigCommerce's documentation leaves open:
// how a written sort_order moves the other images, and who gets the
// thumbnail when it is deleted. The zero value is the default reading.
type Reading struct {
	// Shift is how a written sort_order moves the other images.
	Shift ShiftRule
	// Thumbnail is who gets the flag when the thumbnail is deleted.
	Thumbnail ThumbnailRule
}

// String names the reading, for test names: "shift-insert/thumbnail-promote".
func (r Reading) String() string { return r.Shift.String() + "/" + r.Thumbnail.String() }

// Readings returns every combination of the readings, the default first.
func Readings() []Reading {
	var out []Reading
	for _, sh := range []ShiftRule{ShiftInsert, ShiftLowerPriority, ShiftLowerPriorityUpdates, ShiftNone} {
		for _, th := range []ThumbnailRule{ThumbnailPromote, ThumbnailNone} {
			out = append(out, Reading{sh, th})
		}
	}
	return out
}

// stored is one image as the fake keeps it, with what both API
// generations show.
type stored struct {
	ID, ProductID int64
	SortOrder     int
	IsThumbnail   bool
	Description   string
	ImageFile     string // store-relative path
	ImageURL      string // the URL it was created from, if any
	Size          int64  // bytes uploaded, for a file
	Created       time.Time
	Modified      time.Time
}

func byID(imgs []stored) []stored {
	slices.SortFunc(imgs, func(a, b stored) int { return cmp.Compare(a.ID, b.ID) })
	return imgs
}

// bySortOrder returns imgs in the order the store keeps them.
func bySortOrder(imgs []stored) []stored {
	slices.SortFunc(imgs, func(a, b stored) int {
		return cmp.Or(cmp.Compare(a.SortOrder, b.SortOrder), cmp.Compare(a.ID, b.ID))
	})
	return imgs
}

// errImageLimit and errNoImage are the failures of catalogue updates,
// turned into responses by the handlers.
var (
	errImageLimit = errors.New("image limit")
	errNoImage    = errors.New("no such image")
)

// change is a write of an image's mutable fields; nil means unchanged.
type change struct {
	SortOrder   *int
	IsThumbnail *bool
	Description *string
	ImageURL    *string
	ImageFile   *string
	// Name is the file name a new image is stored under ("" for one from
	// ImageURL).
	Name string
}

// apply writes ch on the image at index i of p, under the server's
// reading and the one-thumbnail rule. created says the image is new.
func (s *Server) apply(p *fakestore.Product[stored], i int, ch change, created bool) {
	img := &p.Images[i]
	if ch.SortOrder != nil {
		so := *ch.SortOrder
		if s.cfg.reading.Shift.shifts(created, img.SortOrder, so) {
			for j := range p.Images {
				if j != i && p.Images[j].SortOrder >= so {
					p.Images[j].SortOrder++
				}
			}
		}
		img.SortOrder = so
	}
	if ch.IsThumbnail != nil && *ch.IsThumbnail {
		for j := range p.Images {
			p.Images[j].IsThumbnail = j == i
		}
	}
	if ch.Description != nil {
		img.Description = *ch.Description
	}
	if ch.ImageURL != nil {
		img.ImageURL = *ch.ImageURL
		img.ImageFile = filePath(img.ID, baseName(*ch.ImageURL))
	}
	if ch.ImageFile != nil {
		img.ImageFile = *ch.ImageFile
	}
	if len(p.Images) == 1 {
		img.IsThumbnail = true
	}
	img.Modified = s.cfg.Now().UTC()
}

// create adds a new image built by ch to product pid and returns it.
func (s *Server) create(pid int64, ch change, size int64) (stored, error) {
	var out stored
	err := s.cat.Update(strconv.FormatInt(pid, 10), func(p *fakestore.Product[stored]) error {
		if len(p.Images) >= s.cfg.maxImages {
			return errImageLimit
		}
		img := stored{ID: s.cat.NextID(), ProductID: pid, Size: size, Created: s.cfg.Now().UTC()}
		if ch.SortOrder == nil {
			next := 0
			for _, o := range p.Images {
				next = max(next, o.SortOrder+1)
			}
			img.SortOrder = next
		}
		img.ImageFile = filePath(img.ID, cmp.Or(ch.Name, "image.jpg"))
		p.Images = append(p.Images, img)
		s.apply(p, len(p.Images)-1, ch, true)
		out = p.Images[len(p.Images)-1]
		return nil
	})
	return out, err
}

// update applies ch to image iid of product pid and returns it.
func (s *Server) update(pid, iid int64, ch change) (stored, error) {
	var out stored
	err := s.cat.Update(strconv.FormatInt(pid, 10), func(p *fakestore.Product[stored]) error {
		i := slices.IndexFunc(p.Images, func(img stored) bool { return img.ID == iid })
		if i < 0 {
			return errNoImage
		}
		s.apply(p, i, ch, false)
		out = p.Images[i]
		return nil
	})
	return out, err
}

// removeOne deletes image iid of product pid.
func (s *Server) removeOne(pid, iid int64) error {
	n, err := s.remove(pid, func([]stored) []int64 { return []int64{iid} })
	if err == nil && n == 0 {
		err = errNoImage
	}
	return err
}

// remove deletes the images of product pid that pick selects (given the
// images by ID) and, if the thumbnail went, gives the flag to another image
// as the thumbnail rule says; a product left with one image has it as its
// thumbnail. It returns how many were deleted.
func (s *Server) remove(pid int64, pick func(byID []stored) []int64) (int, error) {
	n := 0
	err := s.cat.Update(strconv.FormatInt(pid, 10), func(p *fakestore.Product[stored]) error {
		ids := pick(byID(slices.Clone(p.Images)))
		hadThumb := slices.ContainsFunc(p.Images, func(img stored) bool { return img.IsThumbnail })
		before := len(p.Images)
		p.Images = slices.DeleteFunc(p.Images, func(img stored) bool { return slices.Contains(ids, img.ID) })
		n = before - len(p.Images)
		lost := hadThumb && !slices.ContainsFunc(p.Images, func(img stored) bool { return img.IsThumbnail })
		switch {
		case len(p.Images) == 1:
			p.Images[0].IsThumbnail = true // the only image is the thumbnail
		case lost && len(p.Images) > 0 && s.cfg.reading.Thumbnail == ThumbnailPromote:
			first := bySortOrder(slices.Clone(p.Images))[0].ID
			for j := range p.Images {
				p.Images[j].IsThumbnail = p.Images[j].ID == first
			}
		}
		return nil
	})
	return n, err
}

// filePath makes a store-relative path like the API's "a/521/foo__83011.jpg".
func filePath(id int64, name string) string {
	dot := strings.LastIndexByte(name, '.')
	stem, ext := name, ".jpg"
	if dot > 0 {
		stem, ext = name[:dot], name[dot:]
	}
	return fmt.Sprintf("%c/%03d/%s__%05d%s", 'a'+rune(id%26), id%1000, stem, id%100000, ext)
}

// baseName returns the last path segment of a URL, without query.
func baseName(u string) string {
	u, _, _ = strings.Cut(u, "?")
	u, _, _ = strings.Cut(u, "#")
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		u = u[i+1:]
	}
	if u == "" {
		return "image.jpg"
	}
	return u
}

// renditionURL is the CDN URL of a rendition w x h of the image.
func (s *Server) renditionURL(img stored, w, h int) string {
	name := img.ImageFile
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	stem, ext := name, ".jpg"
	if dot := strings.LastIndexByte(name, '.'); dot > 0 {
		stem, ext = name[:dot], name[dot:]
	}
	return fmt.Sprintf("%s/s-%s/products/%d/images/%d/%s.%d.%d.%d%s?c=2", s.cfg.cdn, s.cfg.hash, img.ProductID, img.ID, stem, img.Modified.Unix(), w, h, ext)
}
