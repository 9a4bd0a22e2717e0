package imagesync

import (
	"maps"
	"slices"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/order"
)

// OpKind names an operation of a plan.
type OpKind string

// The operations of a plan. Adopt, forget and discard only change the Store;
// the others are platform writes.
const (
	// OpAdopt maps a key to an image already on the product: one an
	// interrupted add created, or (Policy.AdoptExisting) one whose URL is
	// the entry's source.
	OpAdopt OpKind = "adopt"
	// OpForget drops a key's mapping: its image is gone, the mapping is
	// corrupt, or the DeleteCreated policy releases an image it did not add.
	OpForget OpKind = "forget"
	// OpDiscard drops the intent of an interrupted add that did not happen.
	OpDiscard OpKind = "discard"
	// OpDelete deletes an image (ProductImages.Delete).
	OpDelete OpKind = "delete"
	// OpAdd adds an entry's image (ProductImages.Add), at its final position
	// where the platform allows one.
	OpAdd OpKind = "add"
	// OpUpdate changes one image's alt text, position or main flag in one
	// call (ProductImages.Update).
	OpUpdate OpKind = "update"
	// OpReorder puts the images in their final order
	// (ProductImages.Reorder).
	OpReorder OpKind = "reorder"
	// OpBatch changes alt texts, and the order if Order is set, in one
	// shopimg.BatchUpdater call.
	OpBatch OpKind = "batch"
)

// StoreOnly reports whether the operation only changes the Store.
func (k OpKind) StoreOnly() bool { return k == OpAdopt || k == OpForget || k == OpDiscard }

// AltChange is a change of one image's alt text.
type AltChange struct {
	// Ref is the image.
	Ref Ref `json:"ref"`
	// From is its alt text before the change.
	From string `json:"from"`
	// To is its alt text after the change.
	To string `json:"to"`
}

// Op is one operation of a plan.
type Op struct {
	// Kind is what the operation does.
	Kind OpKind `json:"op"`
	// Ref is the image the operation is about (empty for reorder and batch).
	Ref Ref `json:"ref,omitzero"`
	// Source is where an added image comes from: its URL, or "file NAME".
	Source string `json:"source,omitempty"`
	// Alt is an added image's alt text.
	Alt string `json:"alt,omitempty"`
	// Alts are the alt texts an update or batch changes.
	Alts []AltChange `json:"alts,omitempty"`
	// Position is where an added or moved image goes: its 0-based index
	// among the images the product has once the operation is done. An
	// update without Position does not move its image.
	Position *int `json:"position,omitempty"`
	// Main reports that the image becomes the main image.
	Main bool `json:"main,omitempty"`
	// Order is the complete order a reorder or batch sets (a batch that
	// leaves the order alone has none). Images still to add have no ID yet.
	Order []Ref `json:"order,omitempty"`
	// Writes is the number of platform write calls the operation costs, as
	// shopimg.Capabilities defines them (a per-image reorder costs
	// shopimg.Capabilities.ReorderCost, one call per image written, a batch
	// one per MaxPerCall images).
	Writes int `json:"writes"`
	// Reason says why, for store operations and deletes.
	Reason string `json:"reason,omitempty"`
}

// Plan is what a sync of one product will do: the operations in order, and
// the drift it cannot fix. Print it with String or Format; it marshals to
// JSON. A plan made by NewPlan or Syncer.Plan can be applied with
// Syncer.Apply; a plan decoded from JSON cannot (it lacks the sources).
type Plan struct {
	// Ref is the product (Input.Ref).
	Ref ProductRef `json:"ref"`
	// Policy is the policy the plan follows.
	Policy Policy `json:"policy"`
	// Ops are the operations, in the order Apply carries them out.
	Ops []Op `json:"ops"`
	// Drift is what the plan cannot reach, with the reasons.
	Drift []Drift `json:"drift"`
	// Writes is the total of the operations' Writes. It equals
	// LowerBound of the plan's Input.
	Writes int `json:"writes"`

	g *goal
}

// InSync reports whether the plan does nothing: no platform write and no
// store change (it may still report drift).
func (p *Plan) InSync() bool { return len(p.Ops) == 0 }

// NewPlan computes the plan that turns in.Current into in.Desired with the
// fewest platform writes (see LowerBound), under in.Caps and in.Policy. It
// does no I/O. The error matches shopimg.ErrInvalidInput when the desired
// gallery or the listing is malformed.
//
// The final gallery is the desired entries in order (the first one main),
// followed by the images the policy keeps, in their current order. Every
// difference the platform cannot fix is in Drift.
func NewPlan(in Input) (*Plan, error) {
	g, err := analyze(in)
	if err != nil {
		return nil, err
	}
	b := &builder{g: g, caps: in.Caps}
	b.build()
	p := &Plan{Ref: in.Ref, Policy: in.Policy, Ops: b.ops, Drift: g.drift, g: g}
	if p.Ops == nil {
		p.Ops = []Op{}
	}
	if p.Drift == nil {
		p.Drift = []Drift{}
	}
	for _, op := range p.Ops {
		p.Writes += op.Writes
	}
	return p, nil
}

// gallery is the working model of a product's images: the plan builder runs
// the operations on it, and Apply runs them again on it as they happen. Its
// nodes carry their final rank.
type gallery struct {
	nodes  []node
	rankOf func(node) int
}

func newGallery(nodes []node, rankOf func(node) int) gallery {
	m := gallery{nodes: slices.Clone(nodes), rankOf: rankOf}
	for i := range m.nodes {
		m.nodes[i].rank = rankOf(m.nodes[i])
	}
	return m
}

func (m *gallery) index(n node) int {
	return slices.IndexFunc(m.nodes, func(x node) bool { return x.idt == n.idt })
}

func (m *gallery) insert(pos int, n node) {
	n.rank = m.rankOf(n)
	m.nodes = slices.Insert(m.nodes, pos, n)
}

func (m *gallery) remove(n node) {
	if i := m.index(n); i >= 0 {
		m.nodes = slices.Delete(m.nodes, i, i+1)
	}
}

func (m *gallery) idents() []string { return identsOf(m.nodes) }

// sorted returns the nodes in final order.
func (m *gallery) sorted() []node {
	out := slices.Clone(m.nodes)
	slices.SortStableFunc(out, func(a, b node) int { return a.rank - b.rank })
	return out
}

// addPosition is where a new image of final rank r goes: after every image
// that precedes it in the final order.
func (m *gallery) addPosition(r int) int {
	pos := 0
	for _, n := range m.nodes {
		if n.rank < r {
			pos++
		}
	}
	return pos
}

// movePosition is where n goes when it moves: right after the image that
// precedes it most closely in the final order, or first. Moving the images
// outside a kept increasing run this way, in final order, leaves the gallery
// in final order (each moved image lands next to its final predecessor,
// which is already in place).
func (m *gallery) movePosition(n node) int {
	r := m.rankOf(n)
	pos, best := 0, -2 // ranks start at -1 (goal.pin)
	i := 0
	for _, x := range m.nodes {
		if x.idt == n.idt {
			continue
		}
		if x.rank < r && x.rank > best {
			pos, best = i+1, x.rank
		}
		i++
	}
	return pos
}

// move moves the gallery's node n to pos (an index in the gallery after the
// move).
func (m *gallery) move(n node, pos int) {
	i := m.index(n)
	if i < 0 {
		return
	}
	stored := m.nodes[i]
	m.nodes = slices.Delete(m.nodes, i, i+1)
	m.insert(pos, stored)
}

// each returns f of every node.
func each[T any](ns []node, f func(node) T) []T {
	out := make([]T, len(ns))
	for i, n := range ns {
		out[i] = f(n)
	}
	return out
}

// refs returns the nodes' refs.
func refs(ns []node) []Ref { return each(ns, node.ref) }

// identsOf returns the nodes' idents.
func identsOf(ns []node) []string { return each(ns, node.ident) }

// strategy is how the alt texts and order of the images already on the
// product are fixed.
type strategy int

const (
	// byReorder: ProductImages.Reorder, then the alt texts by batch or one
	// update each.
	byReorder strategy = iota
	// byBatch: one BatchUpdater call (split by MaxPerCall) for both.
	byBatch
	// byUpdates: one Update per image, changing its alt text and moving it
	// in the same call; only images outside the heaviest increasing run of
	// unchanged-alt images move.
	byUpdates
)

// modifyCost returns the cheapest strategy to turn the images cur (idents,
// current order) into fin (the same idents, final order) with the alt
// changes changed, on a platform that can reorder, and its cost in writes.
// With flag, fin[0] (first in cur too) must also be made main, a write of
// its own. Ties go to Reorder, then to the batch: the adapter's own reorder
// knows the platform best.
func modifyCost(caps shopimg.Capabilities, cur, fin []string, changed map[string]bool, flag bool) (strategy, int) {
	if slices.Equal(cur, fin) && len(changed) == 0 && !flag {
		return byReorder, 0
	}
	if flag {
		// The Reorder's write on fin[0] is one call, its alt change
		// another; one batch call or one update carries both.
		c := maps.Clone(changed)
		c[fin[0]] = true
		best, cost := modifyCost(caps, cur, fin, c, false)
		if r := caps.ReorderCost(cur, fin) + 1 + altCost(caps, len(changed)); r <= cost {
			best, cost = byReorder, r
		}
		return best, cost
	}
	best, cost := byReorder, caps.ReorderCost(cur, fin)+altCost(caps, len(changed))
	if caps.BatchUpdate {
		touched := len(changed)
		for i := range cur {
			if cur[i] != fin[i] && !changed[cur[i]] {
				touched++
			}
		}
		if c := caps.Calls(touched); c < cost {
			best, cost = byBatch, c
		}
	}
	// One update per image: every changed image costs one call, whether it
	// moves or not, so only the unchanged ones outside a longest increasing
	// run of unchanged images must move at an extra cost (and, where the
	// main image is a flag, a new main image costs its call too).
	if c := len(caps.ReorderWrites(cur, fin, setKeys(changed)...)); c < cost {
		best, cost = byUpdates, c
	}
	return best, cost
}

// setKeys returns the members of a set, in no particular order.
func setKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

// flagMain reports whether turning cur into fin (idents) makes another
// image main on a platform whose main image is a flag, which costs a write
// on it (see shopimg.Capabilities.MainIsFlag).
func flagMain(caps shopimg.Capabilities, cur, fin []string) bool {
	return caps.MainIsFlag && caps.Reorder && !caps.BatchReorder && len(cur) > 0 && len(fin) > 0 && cur[0] != fin[0]
}

// mainAddFirst reports whether the plan adds the final main image before
// fixing the order of the images already there: where the main image is a
// flag and adds take a position, an added main image takes the flag
// itself, so the images already there then keep their main image and need
// no write for a new one.
func mainAddFirst(caps shopimg.Capabilities, g *goal) bool {
	return caps.MainIsFlag && caps.AddAtPosition && len(g.adds) > 0 && len(g.final) > 0 && g.final[0].id == ""
}

type builder struct {
	g    *goal
	caps shopimg.Capabilities
	gal  gallery
	ops  []Op
	// flagged: the gallery's first image is marked main (it was listed so,
	// or an op made it main).
	flagged bool
}

func (b *builder) build() {
	g := b.g
	b.ops = append(b.ops, g.forgets...)
	b.ops = append(b.ops, g.discards...)
	b.ops = append(b.ops, g.adopts...)
	b.gal = newGallery(g.start, g.rankOf)
	b.flagged = !g.unflagged
	var pinned []Op // the pinned main image's delete, after modify
	for _, d := range g.deletes {
		if n := newNode(d.Ref.ImageID, d.Ref.Key, ""); n.ident() == g.pin {
			pinned = append(pinned, d)
			continue
		}
		b.delete(d)
	}
	adds := g.adds
	if !b.caps.AddAtPosition {
		b.addAll(adds)
		adds = nil
	} else if mainAddFirst(b.caps, g) {
		b.addAll(adds[:1])
		adds = adds[1:]
	}
	b.modify()
	for _, d := range pinned {
		b.delete(d)
	}
	b.addAll(adds)
	if !slices.Equal(b.gal.idents(), identsOf(g.final)) {
		why := "the platform cannot reorder images"
		if !b.caps.HasMain() {
			why += " and has no main image"
		}
		g.drift = append(g.drift, Drift{What: DriftOrder, Reason: why})
	}
}

// delete deletes the image of the delete op d.
func (b *builder) delete(d Op) {
	b.gal.remove(newNode(d.Ref.ImageID, d.Ref.Key, ""))
	b.ops = append(b.ops, d)
}

// addAll adds the entries adds (indexes into Desired) in desired order: at
// their final positions where the platform takes a position, else at the
// end.
func (b *builder) addAll(adds []int) {
	for _, i := range adds {
		e := b.g.in.Desired[i]
		n := newNode("", e.Key, e.Alt)
		pos := len(b.gal.nodes)
		if b.caps.AddAtPosition {
			pos = b.gal.addPosition(b.g.rankOf(n))
		}
		b.gal.insert(pos, n)
		b.ops = append(b.ops, Op{Kind: OpAdd, Ref: n.ref(), Source: e.source(), Alt: e.Alt,
			Position: new(pos), Main: pos == 0 && b.caps.HasMain(), Writes: 1})
		if pos == 0 && b.caps.HasMain() {
			b.flagged = true
		}
	}
}

// altChanges returns the nodes of the gallery whose alt text changes, in
// gallery order, and their idents as a set.
func (b *builder) altChanges() ([]node, map[string]bool) {
	var out []node
	set := map[string]bool{}
	for _, n := range b.gal.nodes {
		if _, ok := b.g.alt[n.id]; ok && n.id != "" {
			out = append(out, n)
			set[n.ident()] = true
		}
	}
	return out, set
}

func (b *builder) altChange(n node) AltChange {
	return AltChange{Ref: n.ref(), From: n.alt, To: b.g.alt[n.id]}
}

// setAlt records n's new alt text in the gallery.
func (b *builder) setAlt(n node) {
	if i := b.gal.index(n); i >= 0 {
		b.gal.nodes[i].alt = b.g.alt[n.id]
	}
}

// modify fixes the order and alt texts of the images on the product.
func (b *builder) modify() {
	changed, set := b.altChanges()
	fin := b.gal.sorted()
	cur, finIDs := b.gal.idents(), identsOf(fin)
	flag := !b.flagged && len(fin) > 0 && fin[0].id != "" && len(cur) > 0 && cur[0] == finIDs[0]
	if slices.Equal(cur, finIDs) && len(changed) == 0 && !flag {
		return
	}
	defer func() { b.flagged = b.flagged || b.caps.Reorder }()
	if !b.caps.Reorder {
		b.mainOnly(fin, changed)
		return
	}
	how, _ := modifyCost(b.caps, cur, finIDs, set, flag)
	switch how {
	case byBatch:
		b.batch(fin, cur, finIDs, changed, set, flag)
	case byUpdates:
		b.updates(fin, set, flag)
	default:
		w := b.caps.ReorderCost(cur, finIDs)
		if flag {
			w++ // the Reorder makes the first image main
		}
		if w > 0 {
			b.ops = append(b.ops, Op{Kind: OpReorder, Order: refs(fin), Writes: w})
			b.gal.nodes = b.gal.sorted()
		}
		b.alts(changed)
	}
}

// batch plans one BatchUpdater call carrying the order fin (when it or the
// main image changes) and the alt texts of changed.
func (b *builder) batch(fin []node, cur, finIDs []string, changed []node, set map[string]bool, flag bool) {
	op := Op{Kind: OpBatch}
	touched := len(changed)
	if flag && !set[finIDs[0]] {
		touched++ // the order sent makes the first image main
	}
	if !slices.Equal(cur, finIDs) || flag {
		op.Order = refs(fin)
		for i := range cur {
			if cur[i] != finIDs[i] && !set[cur[i]] {
				touched++
			}
		}
	}
	for _, n := range changed {
		op.Alts = append(op.Alts, b.altChange(n))
		b.setAlt(n)
	}
	op.Writes = b.caps.Calls(touched)
	b.gal.nodes = b.gal.sorted()
	b.ops = append(b.ops, op)
}

// alts changes the alt texts of changed: in batches where the platform
// batches, else one update each.
func (b *builder) alts(changed []node) {
	if len(changed) == 0 {
		return
	}
	if b.caps.BatchUpdate {
		op := Op{Kind: OpBatch, Writes: b.caps.Calls(len(changed))}
		for _, n := range changed {
			op.Alts = append(op.Alts, b.altChange(n))
			b.setAlt(n)
		}
		b.ops = append(b.ops, op)
		return
	}
	for _, n := range changed {
		b.ops = append(b.ops, Op{Kind: OpUpdate, Ref: n.ref(), Alts: []AltChange{b.altChange(n)}, Writes: 1})
		b.setAlt(n)
	}
}

// updates fixes order and alt texts with one Update per image: the images
// outside the heaviest increasing run move, in final order, each in the same
// call as its alt change if it has one. Where the main image is a flag and
// changes, the new main image is written first, made main; the old one then
// stands second, and is never moved away from the first place (which would
// cost a write on the image taking its place).
func (b *builder) updates(fin []node, changed map[string]bool, flag bool) {
	moving := b.moving(fin, changed, flagMain(b.caps, b.gal.idents(), identsOf(fin)) || flag)
	for _, n := range fin {
		op := Op{Kind: OpUpdate, Ref: n.ref(), Writes: 1}
		if changed[n.ident()] {
			op.Alts = []AltChange{b.altChange(n)}
			b.setAlt(n)
		}
		if moving[n.ident()] {
			if pos := b.gal.movePosition(n); pos != b.gal.index(n) {
				b.gal.move(n, pos)
				op.Position, op.Main = new(pos), pos == 0 && b.caps.HasMain()
			} else if flag && n.ident() == fin[0].ident() {
				op.Position, op.Main = new(0), true // made main where it stands
			}
		}
		if op.Alts != nil || op.Position != nil {
			b.ops = append(b.ops, op)
		}
	}
}

// moving returns the images an update-per-image plan moves: those outside
// a heaviest increasing run of the gallery's ranks, weighting changed images
// (written anyway) light, and the new main image when forced.
func (b *builder) moving(fin []node, changed map[string]bool, forced bool) map[string]bool {
	seq := make([]int, 0, len(b.gal.nodes))
	weights := make([]int, 0, len(b.gal.nodes))
	at := make([]int, 0, len(b.gal.nodes)) // index in the gallery of seq[i]
	for i, n := range b.gal.nodes {
		if forced && n.idt == fin[0].idt {
			continue // written anyway, to make it main
		}
		if n.rank < 0 {
			continue // the pinned main image: first, and stays there
		}
		// An unchanged image that moves costs a call; a changed one costs
		// its call anyway. Weights are even so that a tie can be broken.
		w := 2
		if !changed[n.ident()] {
			w = 2 * (len(b.gal.nodes) + 1)
		}
		if n.idt == fin[0].idt && i > 0 {
			// Among equally cheap plans, prefer making the new main image
			// main explicitly to moving the images before it away.
			w--
		}
		seq, weights, at = append(seq, n.rank), append(weights, w), append(at, i)
	}
	keep := order.HeaviestIncreasing(seq, weights)
	moving := map[string]bool{}
	if forced {
		moving[fin[0].ident()] = true
	}
	for k, i := range at {
		if !keep[k] {
			moving[b.gal.nodes[i].ident()] = true
		}
	}
	return moving
}

// mainOnly handles a platform that cannot reorder: it makes the first image
// main where the platform can set the main image, and fixes alt texts. The
// order drift is reported by build.
func (b *builder) mainOnly(fin []node, changed []node) {
	if b.caps.SetMain && len(fin) > 0 && (b.gal.index(fin[0]) != 0 || !b.flagged) {
		n := fin[0]
		op := Op{Kind: OpUpdate, Ref: n.ref(), Main: true, Writes: 1}
		if i := slices.IndexFunc(changed, func(x node) bool { return x.ident() == n.ident() }); i >= 0 {
			op.Alts = []AltChange{b.altChange(n)}
			b.setAlt(n)
			changed = slices.Delete(slices.Clone(changed), i, i+1)
		}
		b.gal.move(n, 0)
		b.ops = append(b.ops, op)
	}
	b.alts(changed)
}
