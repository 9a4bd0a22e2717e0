package imagesync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/shopimg/shopimg"
)

// Syncer syncs desired galleries onto targets, one product at a time (Sync)
// or many (Run), recording in its Store which image is which key. A Syncer
// is safe for concurrent use as long as no two calls sync the same product
// at once.
type Syncer struct {
	// Store keeps identity and pending adds. Required; NewMemoryStore for
	// tests and one-off runs, boltstore for a file that survives crashes.
	Store Store
	// Policy says what may be deleted and adopted.
	Policy Policy
	// Clock stamps intents and times Run's pauses after throttling
	// (default: shopimg.SystemClock).
	Clock shopimg.Clock
}

func (s *Syncer) clock() shopimg.Clock {
	if s.Clock == nil {
		return shopimg.SystemClock{}
	}
	return s.Clock
}

// WriteCounter is implemented by adapters that count the write requests
// they send for each product (package bigcommerce's does: its moves can
// need more requests than the common model counts on a store that applies
// sort_order otherwise than documented). When a Target's Images implements
// it, a sync reports the write requests actually sent, fix-ups and retries
// included, in Op.Writes and Result.Writes; otherwise the cost model's
// count.
type WriteCounter interface {
	// WriteRequests returns the write requests sent so far for the product.
	WriteRequests(productID string) int
}

// Result is what a sync of one product did.
type Result struct {
	// Ref is the product.
	Ref ProductRef `json:"ref"`
	// Plan is the plan that was applied (nil if planning failed).
	Plan *Plan `json:"plan,omitempty"`
	// Done are the operations carried out, in order, with the positions
	// and orders actually sent.
	Done []Op `json:"done"`
	// Writes is the platform write calls made: the Writes of Done, or, on
	// a target whose Images is a WriteCounter, the write requests it sent
	// (those of an operation that failed included).
	Writes int `json:"writes"`
	// Drift is the plan's drift and any met while applying it (a write the
	// platform refused for that image alone, e.g. a source URL it could not
	// fetch).
	Drift []Drift `json:"drift"`
	// Err is the error that stopped the sync, nil if it completed.
	Err error `json:"-"`
}

// MarshalJSON encodes the result with Err as a string ("error").
func (r *Result) MarshalJSON() ([]byte, error) {
	type plain Result
	var msg string
	if r.Err != nil {
		msg = r.Err.Error()
	}
	return json.Marshal(struct {
		*plain
		Error string `json:"error,omitempty"`
	}{(*plain)(r), msg})
}

// Plan lists the product, loads its state and computes the plan; it writes
// nothing (see NewPlan).
func (s *Syncer) Plan(ctx context.Context, t Target, productID string, desired []Entry) (*Plan, error) {
	if s.Store == nil {
		return nil, &shopimg.InputError{Field: "Syncer.Store", Reason: "is nil"}
	}
	if err := t.validate(productID); err != nil {
		return nil, err
	}
	if err := ValidateGallery(desired); err != nil {
		return nil, err
	}
	caps := t.Images.Capabilities()
	if !caps.List {
		return nil, &shopimg.UnsupportedError{Platform: t.Platform, Operation: "sync a gallery", Reason: "the platform cannot list a product's images"}
	}
	ref := t.Ref(productID)
	st, err := s.Store.Load(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("imagesync: %s: loading state: %w", ref, err)
	}
	cur, err := t.Images.List(ctx, productID)
	if err != nil {
		return nil, fmt.Errorf("imagesync: %s: listing images: %w", ref, err)
	}
	return NewPlan(Input{Ref: ref, Current: cur, State: st, Desired: desired, Caps: caps, Policy: s.Policy, Now: s.clock().Now()})
}

// DryRun computes the plan like Plan and prints it to w; it writes nothing
// to the platform or the Store.
func (s *Syncer) DryRun(ctx context.Context, t Target, productID string, desired []Entry, w io.Writer) (*Plan, error) {
	p, err := s.Plan(ctx, t, productID, desired)
	if err != nil {
		return nil, err
	}
	return p, p.Format(w)
}

// Sync makes the product's gallery on t match desired: Plan, then Apply
// without listing again. The Result is never nil; its Err is the returned
// error.
func (s *Syncer) Sync(ctx context.Context, t Target, productID string, desired []Entry) (*Result, error) {
	p, err := s.Plan(ctx, t, productID, desired)
	if err != nil {
		return &Result{Ref: t.Ref(productID), Done: []Op{}, Drift: []Drift{}, Err: err}, err
	}
	return s.apply(ctx, t, p)
}

// Apply carries out a plan made by Syncer.Plan or NewPlan (whose Input.Ref
// must name the product on t). It loads the product's state and lists the
// product first: a state the Store cannot load stops it (it is never taken
// for an empty one), and it refuses, with an error matching
// shopimg.ErrConflict, if the state or the gallery changed since the plan
// was made. The Result is never nil; its Err is the returned error.
//
// Each add is preceded by an Intent saved to the Store and followed by its
// mapping; see the package documentation for what a later run does when
// Apply stops in between. Whenever the platform answered an add with an
// image ID, the mapping is saved, also when a later step of that add failed
// (an error matching shopimg.ErrAdded, which then stops Apply); the intent
// is dropped without a mapping only when the error proves that nothing was
// created, never for an error matching shopimg.ErrOutcomeUnknown or a
// cancelled context. An operation the platform refuses for that image
// alone (an error matching shopimg.ErrInvalidInput, ErrUnsupported or
// ErrConflict) becomes drift and the rest goes on; any other error stops
// Apply, and the next run picks up from what was done.
func (s *Syncer) Apply(ctx context.Context, t Target, p *Plan) (*Result, error) {
	res := &Result{Done: []Op{}, Drift: []Drift{}}
	fail := func(err error) (*Result, error) {
		res.Err = err
		return res, err
	}
	if p == nil || p.g == nil {
		return fail(&shopimg.InputError{Field: "plan", Reason: "was not made by NewPlan or Syncer.Plan"})
	}
	res.Ref, res.Plan = p.Ref, p
	switch {
	case s.Store == nil:
		return fail(&shopimg.InputError{Field: "Syncer.Store", Reason: "is nil"})
	case t.validate(p.Ref.Product) != nil:
		return fail(t.validate(p.Ref.Product))
	case t.Ref(p.Ref.Product) != p.Ref:
		return fail(&shopimg.InputError{Field: "plan", Reason: fmt.Sprintf("is for %s, not %s", p.Ref, t.Ref(p.Ref.Product))})
	case t.Images.Capabilities() != p.g.in.Caps:
		return fail(&shopimg.InputError{Field: "plan", Reason: "was made for other capabilities than the target's"})
	}
	st, err := s.Store.Load(ctx, p.Ref)
	if err != nil {
		return fail(fmt.Errorf("imagesync: %s: loading state: %w", p.Ref, err))
	}
	if !sameState(st, p.g.in.State) {
		return fail(fmt.Errorf("imagesync: %s: the state changed since the plan was made: %w", p.Ref, shopimg.ErrConflict))
	}
	cur, err := t.Images.List(ctx, p.Ref.Product)
	if err != nil {
		return fail(fmt.Errorf("imagesync: %s: listing images: %w", p.Ref, err))
	}
	if !sameGallery(cur, p.g.in.Current) {
		return fail(fmt.Errorf("imagesync: %s: the gallery changed since the plan was made: %w", p.Ref, shopimg.ErrConflict))
	}
	return s.apply(ctx, t, p)
}

// sameState reports whether two states hold the same mappings (in any
// order) and the same intents (in order).
func sameState(a, b State) bool {
	byKey := func(x, y Mapping) int { return strings.Compare(x.Key, y.Key) }
	return slices.Equal(slices.SortedFunc(slices.Values(a.Mappings), byKey), slices.SortedFunc(slices.Values(b.Mappings), byKey)) &&
		slices.EqualFunc(a.Intents, b.Intents, func(x, y Intent) bool {
			return x.Key == y.Key && slices.Equal(x.Before, y.Before) && x.SourceURL == y.SourceURL &&
				x.FileName == y.FileName && x.Alt == y.Alt && x.At.Equal(y.At)
		})
}

func sameGallery(a, b []shopimg.Image) bool {
	return slices.EqualFunc(a, b, func(x, y shopimg.Image) bool { return x.ID == y.ID && x.Alt == y.Alt })
}

func (s *Syncer) apply(ctx context.Context, t Target, p *Plan) (*Result, error) {
	x := &executor{
		s: s, t: t, p: p, caps: p.g.in.Caps,
		gal:     newGallery(p.g.start, p.g.rankOf),
		res:     &Result{Ref: p.Ref, Plan: p, Done: []Op{}, Drift: slices.Clone(p.Drift)},
		flagged: !p.g.unflagged,
	}
	x.counter, _ = t.Images.(WriteCounter)
	start := x.written()
	x.mark = start
	err := x.run(ctx)
	if x.counter != nil {
		x.res.Writes = x.written() - start
	}
	x.res.Err = err
	return x.res, err
}

// executor runs a plan's operations, keeping a model of the gallery so that
// positions and orders are computed from what really happened (an add the
// platform refused shifts the positions after it).
type executor struct {
	s    *Syncer
	t    Target
	p    *Plan
	caps shopimg.Capabilities
	gal  gallery
	res  *Result
	// flagged: the gallery's first image is marked main.
	flagged bool
	// counter counts the target's write requests (nil: it does not); mark
	// is its count before the current operation.
	counter WriteCounter
	mark    int
}

// written returns the target's write requests so far (0 without a
// counter).
func (x *executor) written() int {
	if x.counter == nil {
		return 0
	}
	return x.counter.WriteRequests(x.p.Ref.Product)
}

func (x *executor) run(ctx context.Context) error {
	var c Change
	var storeOps []Op
	put := map[string]bool{}
	for _, m := range x.p.g.adopted {
		put[m.Key] = true
	}
	for _, op := range x.p.Ops {
		switch op.Kind {
		case OpForget:
			if !put[op.Ref.Key] { // a stale mapping the key's adoption replaces
				c.Drop = append(c.Drop, op.Ref.Key)
			}
		case OpDiscard:
			c.Resolve = append(c.Resolve, op.Ref.Key)
		case OpAdopt:
		default:
			continue
		}
		storeOps = append(storeOps, op)
	}
	for _, m := range x.p.g.adopted {
		c.Put = append(c.Put, m)
		c.Resolve = append(c.Resolve, m.Key)
	}
	if !c.IsZero() {
		if err := x.save(ctx, c); err != nil {
			return err
		}
		x.res.Done = append(x.res.Done, storeOps...)
	}
	for _, op := range x.p.Ops {
		if op.Kind.StoreOnly() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("imagesync: %s: %w", x.p.Ref, err)
		}
		x.mark = x.written()
		var err error
		switch op.Kind {
		case OpDelete:
			err = x.delete(ctx, op)
		case OpAdd:
			err = x.add(ctx, op)
		case OpUpdate:
			err = x.update(ctx, op)
		case OpReorder:
			err = x.reorder(ctx, op)
		case OpBatch:
			err = x.batch(ctx, op)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (x *executor) save(ctx context.Context, c Change) error {
	if err := x.s.Store.Save(ctx, x.p.Ref, c); err != nil {
		return fmt.Errorf("imagesync: %s: saving state: %w", x.p.Ref, err)
	}
	return nil
}

// record saves the result of a write that happened, even if ctx has been
// cancelled meanwhile: the store should know what was done.
func (x *executor) record(ctx context.Context, c Change) error {
	return x.save(context.WithoutCancel(ctx), c)
}

func (x *executor) done(op Op) {
	if x.counter != nil {
		op.Writes = x.written() - x.mark
		x.mark = x.written()
	}
	x.res.Done = append(x.res.Done, op)
	x.res.Writes += op.Writes
}

// uncertain reports whether err leaves open whether the write happened
// (whatever else it matches): an outcome-unknown error, an add that created
// its image before failing, or a cancelled or timed-out context.
func uncertain(err error) bool {
	return errors.Is(err, shopimg.ErrOutcomeUnknown) || errors.Is(err, shopimg.ErrAdded) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// refusedHere reports whether err is the platform refusing one operation for
// a reason tied to that image, so the rest of the sync can go on.
func refusedHere(err error) bool {
	return !uncertain(err) &&
		(errors.Is(err, shopimg.ErrInvalidInput) || errors.Is(err, shopimg.ErrUnsupported) || errors.Is(err, shopimg.ErrConflict))
}

// refused reports whether err proves that the write did not happen.
func refused(err error) bool {
	return refusedHere(err) || !uncertain(err) &&
		(errors.Is(err, shopimg.ErrUnauthorized) || errors.Is(err, shopimg.ErrNotFound) || errors.Is(err, shopimg.ErrRateLimited))
}

// fail turns a write error into drift (returning nil) or a stopping error.
func (x *executor) fail(op Op, what DriftKind, ref Ref, err error) error {
	if refusedHere(err) {
		x.res.Drift = append(x.res.Drift, Drift{What: what, Ref: ref, Reason: "the platform refused: " + err.Error()})
		return nil
	}
	return x.stop(op, ref, err)
}

// stop is the error that stops Apply when op on ref failed with err.
func (x *executor) stop(op Op, ref Ref, err error) error {
	return fmt.Errorf("imagesync: %s: %s %s: %w", x.p.Ref, op.Kind, ref, err)
}

// find returns the gallery's node for ref (by key, else by image ID).
func (x *executor) find(ref Ref) (node, bool) {
	for _, n := range x.gal.nodes {
		if (ref.Key != "" && n.key == ref.Key) || (ref.Key == "" && n.id == ref.ImageID) {
			return n, true
		}
	}
	return node{}, false
}

func (x *executor) delete(ctx context.Context, op Op) error {
	n := newNode(op.Ref.ImageID, op.Ref.Key, "")
	err := x.t.Images.Delete(ctx, x.p.Ref.Product, n.id)
	if err != nil && (!errors.Is(err, shopimg.ErrNotFound) || errors.Is(err, shopimg.ErrOutcomeUnknown)) {
		return x.fail(op, DriftDelete, op.Ref, err)
	}
	if err != nil { // already gone
		op.Writes = 0
	}
	x.gal.remove(n)
	if n.key != "" {
		if err := x.record(ctx, Change{Drop: []string{n.key}}); err != nil {
			return err
		}
	}
	x.done(op)
	if n.ident() == x.p.g.pin && len(x.gal.nodes) > 0 {
		return x.ensureMain(ctx)
	}
	return nil
}

// ensureMain makes the first image main after the main image was deleted
// last (see pinMain): most stores pass the flag on to it, which costs
// nothing, as the plan counts; one that passes it to no image gets a write
// (the guard sends nothing where the first image is main already). The
// write is reported only where the target counts its requests.
func (x *executor) ensureMain(ctx context.Context) error {
	if !x.caps.SetMain {
		return nil
	}
	n := x.gal.nodes[0]
	if _, err := x.t.Images.Update(ctx, x.p.Ref.Product, n.id, shopimg.ImageUpdate{Main: new(true)}); err != nil {
		return x.fail(Op{Kind: OpUpdate, Ref: n.ref(), Main: true}, DriftOrder, n.ref(), err)
	}
	if x.written() > x.mark {
		x.done(Op{Kind: OpUpdate, Ref: n.ref(), Position: new(0), Main: true, Reason: "the store passed the main image's flag to no image"})
	}
	return nil
}

func (x *executor) add(ctx context.Context, op Op) error {
	e := x.p.g.in.Desired[x.p.g.entries[op.Ref.Key]]
	n := newNode("", e.Key, e.Alt)
	pos := len(x.gal.nodes)
	if x.caps.AddAtPosition {
		pos = x.gal.addPosition(x.gal.rankOf(n))
	}
	it := Intent{Key: e.Key, Before: make([]string, len(x.gal.nodes)), SourceURL: e.SourceURL, Alt: e.Alt, At: x.s.clock().Now()}
	for i, m := range x.gal.nodes {
		it.Before[i] = m.id
	}
	if e.File != nil {
		it.FileName = e.File.Name
	}
	if err := x.save(ctx, Change{Begin: &it}); err != nil {
		return err
	}
	ni := e.newImage()
	if x.caps.AddAtPosition {
		ni.Position, ni.Main = new(pos), pos == 0 && x.caps.HasMain()
	}
	img, err := x.t.Images.Add(ctx, x.p.Ref.Product, ni)
	n.id = createdID(img, err)
	if n.id == "" {
		if err == nil {
			err = fmt.Errorf("the adapter returned no image ID: %w", shopimg.ErrOutcomeUnknown)
		}
		if ctx.Err() == nil && refused(err) {
			// Nothing was added: the intent has nothing to recover. If this
			// save fails, the next run finds no candidate and drops it.
			_ = x.record(ctx, Change{Resolve: []string{e.Key}})
		}
		return x.fail(op, DriftAdd, op.Ref, err)
	}
	if err := x.record(ctx, Change{Put: []Mapping{{Key: e.Key, ImageID: n.id, Created: true}}, Resolve: []string{e.Key}}); err != nil {
		return err
	}
	op.Ref = n.ref()
	if err != nil {
		// Created, then a later step of the add failed: the image is the
		// key's, but where it stands is unknown, so stop; the next plan
		// lists it.
		x.done(op)
		return x.stop(op, op.Ref, err)
	}
	x.gal.insert(pos, n)
	op.Position, op.Main = new(pos), pos == 0 && x.caps.HasMain()
	if op.Main {
		x.flagged = true
	}
	x.done(op)
	return nil
}

// createdID returns the ID of the image an Add created, from its image or
// from an error matching shopimg.ErrAdded, or "" if none came back.
func createdID(img shopimg.Image, err error) string {
	var added *shopimg.AddedError
	if img.ID == "" && errors.As(err, &added) {
		return added.Image.ID
	}
	return img.ID
}

func (x *executor) update(ctx context.Context, op Op) error {
	n, ok := x.find(op.Ref)
	if !ok { // an add before it was refused
		return nil
	}
	var u shopimg.ImageUpdate
	what := DriftAlt
	if len(op.Alts) > 0 {
		u.Alt = new(op.Alts[0].To)
	}
	pos := x.gal.index(n)
	placed := op.Position != nil || op.Main // the op gives the image a place
	switch {
	case op.Position != nil:
		pos = x.gal.movePosition(n)
	case op.Main:
		pos = 0
	}
	op.Position, op.Main = nil, false
	switch {
	case pos != x.gal.index(n):
		what = DriftOrder
		if x.caps.Reorder {
			u.Position = new(pos)
		}
		if pos == 0 && x.caps.SetMain {
			u.Main = new(true)
		}
		op.Position, op.Main = new(pos), pos == 0 && x.caps.HasMain()
	case pos == 0 && !x.flagged && x.caps.SetMain && placed:
		// First already, but not marked main.
		what, u.Main = DriftOrder, new(true)
		op.Position, op.Main = new(0), true
	}
	if u.IsZero() {
		return nil
	}
	if _, err := x.t.Images.Update(ctx, x.p.Ref.Product, n.id, u); err != nil {
		return x.fail(op, what, n.ref(), err)
	}
	if u.Alt != nil {
		x.setAlt(n, *u.Alt)
	}
	if op.Position != nil {
		x.gal.move(n, pos)
	}
	if op.Main {
		x.flagged = true
	}
	op.Ref = n.ref()
	x.done(op)
	return nil
}

func (x *executor) setAlt(n node, alt string) {
	if i := x.gal.index(n); i >= 0 {
		x.gal.nodes[i].alt = alt
	}
}

// ids returns the image IDs of ns.
func ids(ns []node) []string { return each(ns, func(n node) string { return n.id }) }

func (x *executor) reorder(ctx context.Context, op Op) error {
	fin := x.gal.sorted()
	cur, order := ids(x.gal.nodes), ids(fin)
	cost := x.caps.ReorderCost(cur, order)
	if !x.flagged && len(order) > 0 && order[0] == cur[0] && x.caps.HasMain() {
		cost++ // the Reorder also makes the first image main
	}
	if cost == 0 {
		return nil
	}
	if err := x.t.Images.Reorder(ctx, x.p.Ref.Product, order); err != nil {
		return x.fail(op, DriftOrder, Ref{}, err)
	}
	x.gal.nodes, x.flagged = fin, true
	op.Order, op.Writes = refs(fin), cost
	x.done(op)
	return nil
}

func (x *executor) batch(ctx context.Context, op Op) error {
	what := DriftAlt
	if len(op.Alts) == 0 {
		what = DriftOrder
	}
	bu, ok := x.t.Images.(shopimg.BatchUpdater)
	if !ok {
		return x.fail(op, what, Ref{}, &shopimg.UnsupportedError{Platform: x.t.Platform, Operation: "batch update",
			Reason: "the adapter reports BatchUpdate but does not implement shopimg.BatchUpdater"})
	}
	var b shopimg.BatchUpdate
	changed := map[string]bool{}
	var alts []AltChange
	for _, a := range op.Alts {
		n, ok := x.find(a.Ref)
		if !ok {
			continue
		}
		if b.Alt == nil {
			b.Alt = map[string]string{}
		}
		b.Alt[n.id] = a.To
		changed[n.id] = true
		alts = append(alts, AltChange{Ref: n.ref(), From: n.alt, To: a.To})
	}
	fin := x.gal.sorted()
	cur, order := ids(x.gal.nodes), ids(fin)
	if op.Order != nil && (!slices.Equal(cur, order) || !x.flagged) {
		b.Order = order
		for i := range cur {
			if cur[i] != order[i] {
				changed[cur[i]] = true
			}
		}
	}
	if b.IsZero() {
		return nil
	}
	if _, err := bu.UpdateImages(ctx, x.p.Ref.Product, b); err != nil {
		return x.fail(op, what, Ref{}, err)
	}
	op.Alts, op.Order = alts, nil
	if b.Order != nil {
		x.gal.nodes, x.flagged = fin, true
		op.Order = refs(fin)
	}
	for _, a := range alts {
		x.setAlt(newNode(a.Ref.ImageID, a.Ref.Key, ""), a.To)
	}
	op.Writes = x.caps.Calls(len(changed))
	x.done(op)
	return nil
}
