package salla

import (
	"cmp"
	"math"
	"slices"
)

// This file holds the pure part of ordering: the display order of a
// gallery, and the writes that turn it into another order.
//
// A gallery holds pictures and videos, each with a sort value (lower
// first) and, on pictures, a main flag (default in writes, main in the
// product details). The docs say neither how ties in sort are broken, nor
// whether writing a sort value moves the entries at or after it (as
// BigCommerce's sort_order does), nor where a main image whose sort is not
// the lowest is shown. The package reads the gallery as:
//
//   - entries in sort order, ties in the order the API lists them;
//   - the main image is the first picture flagged main in that order; it
//     takes the place of the first picture (the videos before it stay
//     before it). With no picture flagged, the first picture is the main
//     image.
//
// The writes are chosen to be right under both readings of a sort write:
// the value is stored as sent, or the other entries at or after it move up
// by one. Entries that keep their place are never written (videos never
// are: an update would need a picture); every written entry gets a value
// strictly between the values of the kept entries around it, and the
// writes are sent from the last place to the first, so a shift caused by
// one write only moves entries to its right, which keep their order.

// SortStep is the distance between the sort values the adapter gives to
// entries it appends or spreads apart, so that later moves find free
// values between two entries without writing more entries than the move
// needs. A picture moved or added between two others gets the value
// halfway between theirs, so 1024 leaves room for ten in a row in one gap
// (a full gallery of DefaultMaxImages) before the values must be spread
// apart again.
const SortStep = 1024

// Gallery returns the product's gallery (pictures and videos) in display
// order, as this package reads it: by sort, ties in the order the API
// listed them, with the main picture (the first flagged main) in the place
// of the first picture.
func (p Product) Gallery() []ProductImage { return display(p.Images) }

// display returns items in display order (a new slice).
func display(items []ProductImage) []ProductImage {
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b ProductImage) int { return cmp.Compare(a.Sort, b.Sort) })
	first, main := -1, -1
	for i, it := range out {
		if it.IsVideo() {
			continue
		}
		if first < 0 {
			first = i
		}
		if it.Main && main < 0 {
			main = i
		}
	}
	if main > first {
		m := out[main]
		copy(out[first+1:main+1], out[first:main])
		out[first] = m
	}
	return out
}

// mainIndex returns the index in disp (display order) of the main picture,
// and whether it is flagged; -1 when there is no picture.
func mainIndex(disp []ProductImage) (int, bool) {
	for i, it := range disp {
		if !it.IsVideo() {
			return i, bool(it.Main)
		}
	}
	return -1, false
}

// Kinds of entries in a plan.
const (
	optional  = iota // kept if it can be, else written
	mustKeep         // never written (a video, the main image in place)
	mustWrite        // written with a new value (a new main, a new image)
	anyway           // written in any case (its alt text changes); keeps its value if it can
)

// slot is one entry of a planned order.
type slot struct {
	id   ImageID // 0: the image an Add creates
	sort int     // current value (unused for mustWrite)
	kind int
	main bool // written as the main image (default=1)
}

// write is one planned write: the entry and the sort value sent.
type write struct {
	id   ImageID
	sort int
	main bool
}

// planWrites returns the writes that put the entries of target (in their
// target display order) in that order, keeping as many optional entries
// as the free values between kept entries allow, and whether that is
// possible at all (every mustKeep entry kept). The writes are in the order
// to send them: from the last place to the first. lo is the value below
// every value sent (0 when the store takes no sort below 1). With roomy
// false, the free values between kept entries are not counted (the plan
// is then only a count: the least writes any values could allow).
func planWrites(target []slot, lo int, roomy bool) ([]write, bool) {
	n := len(target)
	const none = math.MinInt
	sortOf := func(i int) int {
		switch {
		case i < 0:
			return lo
		case i >= n:
			return math.MaxInt
		}
		return target[i].sort
	}
	// best[i+1]: the best weight of a chain of kept entries ending at i
	// (-1 is the start); prev: the chain's previous entry.
	best := make([]int, n+2)
	prev := make([]int, n+2)
	for i := range best {
		best[i] = none
	}
	best[0] = 0
	for i := 0; i <= n; i++ {
		if i < n && target[i].kind == mustWrite {
			continue
		}
		w := 0
		if i < n && target[i].kind == optional {
			w = 1
		}
		for j := i - 1; j >= -1; j-- {
			if best[j+1] != none && fits(sortOf(j), sortOf(i), i-j-1, i >= n, roomy) && best[j+1]+w > best[i+1] {
				best[i+1], prev[i+1] = best[j+1]+w, j
			}
			if j >= 0 && target[j].kind == mustKeep {
				break // a chain cannot skip an entry that must stay
			}
		}
	}
	if best[n+1] == none {
		return nil, false
	}
	kept := make([]bool, n)
	for i := prev[n+1]; i >= 0; i = prev[i+1] {
		kept[i] = true
	}
	values := make([]int, n)
	for a := -1; a < n; {
		b := a + 1
		for b < n && !kept[b] {
			b++
		}
		spread(values, a+1, b, sortOf(a), sortOf(b), b >= n)
		if b < n {
			values[b] = target[b].sort
		}
		a = b
	}
	var ws []write
	for i := n - 1; i >= 0; i-- {
		t := target[i]
		if !kept[i] || t.kind == anyway {
			ws = append(ws, write{id: t.id, sort: values[i], main: t.main})
		}
	}
	return ws, true
}

// fits reports whether m entries fit strictly between the values a and b
// (and after a, when b is the end).
func fits(a, b, m int, end, roomy bool) bool {
	if end {
		return true
	}
	return a < b && (!roomy || b-a-1 >= m)
}

// respaced returns target with every picture to be written: the plan
// that gives the pictures values spread evenly between the videos (and
// SortStep apart after the last one), used when the values left are too
// close to place the moved pictures with the fewest writes.
func respaced(target []slot) []slot {
	out := slices.Clone(target)
	for i := range out {
		if out[i].kind != mustKeep || out[i].main {
			out[i].kind = mustWrite
		}
	}
	return out
}

// spread gives values[from:to] increasing values strictly between a and b,
// spread evenly, or, after the last kept entry, SortStep apart.
func spread(values []int, from, to, a, b int, end bool) {
	m := to - from
	for k := 1; k <= m; k++ {
		if end {
			values[from+k-1] = a + SortStep*k
		} else {
			values[from+k-1] = a + int(int64(b-a)*int64(k)/int64(m+1))
		}
	}
}

// renumberAfter returns the writes that put the pictures of order after
// every other entry, in that order, the first as the main image: the
// fallback when the free values cannot keep the videos in place, or the
// store did not apply a plan as expected. It writes every picture, in
// increasing values from top+SortStep, first to last, which is right under
// both readings of a sort write.
func renumberAfter(order []ImageID, top int) []write {
	ws := make([]write, len(order))
	for i, id := range order {
		ws[i] = write{id: id, sort: top + SortStep*(i+1), main: i == 0}
	}
	return ws
}

// lowBound returns the value below every sort value the adapter sends:
// -1 when the gallery already holds a value of 0 or less (the store takes
// 0), else 0 (values start at 1, which a store counting from 1 takes).
func lowBound(items []ProductImage) int {
	for _, it := range items {
		if it.Sort <= 0 {
			return -1
		}
	}
	return 0
}

// topSort returns the highest sort value of items (0 for none).
func topSort(items []ProductImage) int {
	top := 0
	for _, it := range items {
		top = max(top, int(it.Sort))
	}
	return top
}
