package bigcommerce

import (
	"cmp"
	"slices"
	"sync"
)

// This file holds the pure part of ordering: how a store may apply a
// written sort_order, the order the store keeps, and the PUTs that turn one
// order into another.
//
// The docs (productImage_Base.sort_order in the official OpenAPI file; the
// v2 reference says the same) state only: "Higher integers give the image a
// lower priority. When updating, if the image is given a lower priority,
// all images with a sort_order the same as or greater than the image's new
// sort_order value will have their sort_orders reordered." Read literally,
// that covers updates that raise an image's sort_order, and says nothing of
// a move to a higher priority or of a create that carries a sort_order.
// Four readings fit (see reading); the adapter is correct under each, and
// learns which one its store follows from what the store answers.

// reading is a set of readings of the sort_order rule: one bit per
// reading. A single bit is one reading; a client keeps the set its store
// may still follow.
type reading uint8

const (
	// readInsert: every write of sort_order s, create or update, adds one
	// to every other image at s or more (the written image is inserted
	// before them). The documented sentence, read as an insertion.
	readInsert reading = 1 << iota
	// readLowerCreates: only an update raising the image's sort_order, and
	// a create with one, shift the others.
	readLowerCreates
	// readLower: only an update raising the image's sort_order shifts.
	readLower
	// readNone: sort_order is stored as sent; nothing shifts.
	readNone

	allReadings = readInsert | readLowerCreates | readLower | readNone
)

// each returns the single readings of the set.
func (set reading) each() []reading {
	var out []reading
	for r := readInsert; r <= readNone; r <<= 1 {
		if set&r != 0 {
			out = append(out, r)
		}
	}
	return out
}

// shifts reports whether, under the single reading r, writing sort_order
// written on an image whose sort_order was old (create: a new image) adds
// one to the other images at written or more.
func (r reading) shifts(create bool, old, written int) bool {
	switch r {
	case readInsert:
		return true
	case readLowerCreates:
		return create || written > old
	case readLower:
		return !create && written > old
	}
	return false
}

// String names the readings of the set, for errors and tests.
func (set reading) String() string {
	names := map[reading]string{readInsert: "insert", readLowerCreates: "lower-priority", readLower: "lower-priority-updates", readNone: "none"}
	s := ""
	for _, r := range set.each() {
		if s != "" {
			s += "|"
		}
		s += names[r]
	}
	if s == "" {
		return "unknown"
	}
	return s
}

// rules is what a Client has learned about its store's sort_order rule:
// the readings still possible. It starts with all of them.
type rules struct {
	mu       sync.Mutex
	possible reading // 0: not yet narrowed, all possible
}

func (r *rules) get() reading {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.possible == 0 {
		return allReadings
	}
	return r.possible
}

// narrow keeps only the readings in set; an empty result (the store did
// something no reading explains) teaches nothing.
func (r *rules) narrow(set reading) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.possible
	if cur == 0 {
		cur = allReadings
	}
	if cur&set != 0 {
		r.possible = cur & set
	}
}

// storeOrder returns a copy of imgs in the order the store keeps them: by
// sort_order, then ID (the spec's example has two images at sort_order 0,
// so ties happen; the ID breaks them, as IDs grow with each image). The
// thumbnail is wherever its sort_order puts it.
func storeOrder(imgs []Image) []Image {
	out := slices.Clone(imgs)
	slices.SortFunc(out, func(a, b Image) int {
		return cmp.Or(cmp.Compare(a.SortOrder, b.SortOrder), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// put is one planned UpdateImage call.
type put struct {
	id  ImageID
	req UpdateImageRequest
}

// simulate applies a write of sort_order (nil: none) and is_thumbnail on
// image id to imgs (in any order) under the single reading r. create says
// the image was just created (its sort_order is then the one written).
func simulate(imgs []Image, r reading, id ImageID, sortOrder *int, thumb, create bool) {
	i := indexOf(imgs, id)
	if i < 0 {
		return
	}
	if sortOrder != nil {
		s := *sortOrder
		if r.shifts(create, imgs[i].SortOrder, s) {
			for j := range imgs {
				if j != i && imgs[j].SortOrder >= s {
					imgs[j].SortOrder++
				}
			}
		}
		imgs[i].SortOrder = s
	}
	if thumb {
		for j := range imgs {
			imgs[j].IsThumbnail = j == i
		}
	}
	if len(imgs) == 1 {
		imgs[0].IsThumbnail = true
	}
}

func idsOf(imgs []Image) []ImageID {
	out := make([]ImageID, len(imgs))
	for i, img := range imgs {
		out[i] = img.ID
	}
	return out
}

// indexOf returns the index of the image with ID id, or -1.
func indexOf(imgs []Image, id ImageID) int {
	return slices.IndexFunc(imgs, func(img Image) bool { return img.ID == id })
}

// onlyThumbnail reports whether id is the one image of imgs flagged
// is_thumbnail.
func onlyThumbnail(imgs []Image, id ImageID) bool {
	n, it := 0, false
	for _, img := range imgs {
		if img.IsThumbnail {
			n++
			it = it || img.ID == id
		}
	}
	return n == 1 && it
}

// reached reports whether imgs are in the order target as the store keeps
// them, with strictly increasing sort_orders (no two images tied), and,
// with thumb, target[0] the one thumbnail.
func reached(imgs []Image, target []ImageID, thumb bool) bool {
	s := storeOrder(imgs)
	if !slices.Equal(idsOf(s), target) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i].SortOrder == s[i-1].SortOrder {
			return false
		}
	}
	return !thumb || len(target) == 0 || onlyThumbnail(imgs, target[0])
}

// spacing is the gap the adapter leaves between the sort_orders it writes
// where nothing bounds them (before the first image, after the last), so
// that a later move or add finds a free value between two images: where
// the store does not shift the others, that saves rewriting them.
const spacing = 16

// plan is the PUTs that bring a product to an order.
type plan struct {
	puts []put
	// stay are the images whose sort_order is not written.
	stay map[ImageID]bool
	// robust reports that every PUT lands where it must under every
	// reading of the rule (each sort_order written falls where no reading
	// can put the image elsewhere); otherwise the plan relies on the
	// insertion reading.
	robust bool
}

// cost is the number of PUTs.
func (p plan) cost() int { return len(p.puts) }

// planOrder returns the PUTs that turn cur (the exact state, any order)
// into target (a permutation of its IDs) as the store keeps it, with no
// two images at the same sort_order and, with thumb, target[0] the one
// thumbnail. extra holds fields to send for some images (a description):
// those are written anyway, so moving them costs nothing more.
//
// The images that keep their sort_order (stayers) are a subsequence of
// target whose sort_orders strictly increase, of the most images not in
// extra; every other image is written once, in reverse target order. With
// room false, that is a longest increasing subsequence: the least number of
// PUTs under the insertion reading (an image that is not written keeps its
// place relative to the others not written, since a write shifts every
// image at or after a point by the same amount). The written images then
// go right after their stayer: in a stretch where the sort_orders leave
// space for them, at values inside it, the same under every reading;
// elsewhere at the stayer's sort_order + 1, which places them only where
// the store shifts (the insertion reading).
//
// With room true, two consecutive stayers must leave enough values between
// them for the images that go between them (and any number may go before
// the first and after the last: sort_order may be negative). Every PUT then
// writes a value strictly between its neighbours whatever the store shifted
// before, so the plan reaches target under every reading; it may write more
// images than the insertion reading needs.
func planOrder(cur []Image, target []ImageID, extra map[ImageID]UpdateImageRequest, thumb, room bool) plan {
	n := len(target)
	p := plan{stay: map[ImageID]bool{}, robust: true}
	if n == 0 {
		return p
	}
	val := make([]int, n)
	for i, id := range target {
		val[i] = cur[indexOf(cur, id)].SortOrder
	}
	taken := newOccupancy(cur)
	flag := thumb && !onlyThumbnail(cur, target[0])
	forced := func(i int) bool {
		_, ok := extra[target[i]]
		return ok || (i == 0 && flag)
	}
	// The best chain of stayers: the most images not written anyway, then
	// the fewest stretches between two stayers too tight for the images
	// that go there (those rely on the insertion reading), then the most
	// stayers.
	type score struct{ kept, tight, stay int }
	better := func(a, b score) bool {
		return a.kept > b.kept || a.kept == b.kept && (a.tight < b.tight || a.tight == b.tight && a.stay > b.stay)
	}
	sc, prev := make([]score, n), make([]int, n)
	best := -1
	for i := range n {
		own := score{stay: 1}
		if !forced(i) {
			own.kept = 1
		}
		sc[i], prev[i] = own, -1
		for j := range i {
			if val[j] >= val[i] {
				continue
			}
			tight := i-j-1 > taken.free(val[j], val[i])
			if room && tight {
				continue
			}
			c := score{kept: sc[j].kept + own.kept, tight: sc[j].tight, stay: sc[j].stay + 1}
			if tight {
				c.tight++
			}
			if better(c, sc[i]) {
				sc[i], prev[i] = c, j
			}
		}
		if best < 0 || better(sc[i], sc[best]) {
			best = i
		}
	}
	stayer := make([]bool, n)
	for i := best; i >= 0; i = prev[i] {
		stayer[i] = true
		p.stay[target[i]] = true
	}
	// Values for the images between stayers a and b (target indexes, -1
	// and n at the ends), written last to first: free values (no image
	// has them), so that no write ties two images whatever the store
	// shifts, spread to leave room for later moves.
	next := n // the stayer after the stretch
	for i := n - 1; i >= -1; i-- {
		if i >= 0 && !stayer[i] {
			continue
		}
		// i is a stayer (or -1): the stretch is (i, next).
		c := next - i - 1
		var vals []int
		switch {
		case c == 0:
		case i >= 0 && next < n && c > taken.free(val[i], val[next]):
			vals = make([]int, c) // no room: insertion reading only
			for t := range vals {
				vals[t] = val[i] + 1
			}
			p.robust = false
		case i >= 0 && next < n:
			vals = taken.spread(val[i], val[next], c)
		case i >= 0:
			vals = taken.above(val[i], c)
		case next < n:
			vals = taken.below(val[next], c)
		default:
			vals = taken.above(-spacing, c)
		}
		for k := next - 1; k > i; k-- {
			so := vals[k-i-1]
			p.puts = append(p.puts, newPut(target[k], &so, k == 0 && flag, extra))
		}
		if i >= 0 && forced(i) {
			p.puts = append(p.puts, newPut(target[i], nil, i == 0 && flag, extra))
		}
		next = i
	}
	return p
}

// occupancy is the set of sort_orders a product's images hold.
type occupancy struct{ vals []int } // sorted

func newOccupancy(imgs []Image) occupancy {
	o := occupancy{vals: make([]int, len(imgs))}
	for i, img := range imgs {
		o.vals[i] = img.SortOrder
	}
	slices.Sort(o.vals)
	return o
}

func (o occupancy) has(v int) bool { _, ok := slices.BinarySearch(o.vals, v); return ok }

// free returns how many values strictly between lo and hi no image holds.
func (o occupancy) free(lo, hi int) int {
	if hi-lo < 2 {
		return 0
	}
	a, _ := slices.BinarySearch(o.vals, lo+1)
	b, _ := slices.BinarySearch(o.vals, hi)
	held := 0
	for k := a; k < b; k++ {
		if k == a || o.vals[k] != o.vals[k-1] {
			held++
		}
	}
	return hi - lo - 1 - held
}

// spread returns c increasing free values strictly between lo and hi (at
// least c must be free), spread over the gap.
func (o occupancy) spread(lo, hi, c int) []int {
	out := make([]int, 0, c)
	last := lo
	for t := 1; t <= c; t++ {
		v := max(lo+t*(hi-lo)/(c+1), last+1)
		for v < hi && o.has(v) {
			v++
		}
		// Leave enough free values above for the rest.
		if v >= hi || o.free(v, hi) < c-t {
			return o.packed(lo, hi, c)
		}
		out, last = append(out, v), v
	}
	return out
}

// packed returns the c smallest free values above lo (and below hi).
func (o occupancy) packed(lo, hi, c int) []int {
	out := make([]int, 0, c)
	for v := lo + 1; len(out) < c && v < hi; v++ {
		if !o.has(v) {
			out = append(out, v)
		}
	}
	return out
}

// above returns c increasing free values above lo, about spacing apart.
func (o occupancy) above(lo, c int) []int {
	out := make([]int, 0, c)
	last := lo
	for range c {
		v := last + spacing
		for o.has(v) {
			v++
		}
		out, last = append(out, v), v
	}
	return out
}

// below returns c increasing free values below hi, about spacing apart.
func (o occupancy) below(hi, c int) []int {
	out := make([]int, c)
	last := hi
	for t := c - 1; t >= 0; t-- {
		v := last - spacing
		for o.has(v) {
			v--
		}
		out[t], last = v, v
	}
	return out
}

func newPut(id ImageID, so *int, thumb bool, extra map[ImageID]UpdateImageRequest) put {
	req := extra[id]
	req.SortOrder = so
	if thumb {
		req.IsThumbnail = new(true)
	}
	return put{id: id, req: req}
}

// inOrder reports whether the placed images of imgs are in target's
// relative order as the store keeps them, ties broken by ID.
func inOrder(imgs []Image, target []ImageID, placed map[ImageID]bool) bool {
	var got, want []ImageID
	for _, img := range storeOrder(imgs) {
		if placed[img.ID] {
			got = append(got, img.ID)
		}
	}
	for _, id := range target {
		if placed[id] {
			want = append(want, id)
		}
	}
	return slices.Equal(got, want)
}

// sameState reports whether two states of a product hold the same images
// with the same sort_order and thumbnail flag.
func sameState(a, b []Image) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		i := indexOf(b, x.ID)
		if i < 0 || b[i].SortOrder != x.SortOrder || b[i].IsThumbnail != x.IsThumbnail {
			return false
		}
	}
	return true
}

// sameImages reports whether imgs holds exactly the images of ids.
func sameImages(imgs []Image, ids []ImageID) bool {
	got := idsOf(imgs)
	slices.Sort(got)
	want := slices.Sorted(slices.Values(ids))
	return slices.Equal(got, want)
}
