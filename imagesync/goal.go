package imagesync

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
)

// Input is everything a plan is computed from; NewPlan and LowerBound do no
// I/O.
type Input struct {
	// Ref names the product; it only labels the plan.
	Ref ProductRef
	// Current is the product's gallery as List returned it.
	Current []shopimg.Image
	// State is the product's state from the Store.
	State State
	// Desired is the gallery to reach (see ValidateGallery).
	Desired []Entry
	// Caps are the target's capabilities.
	Caps shopimg.Capabilities
	// Policy says what may be deleted and adopted.
	Policy Policy
	// Now is the time of the plan, to tell whether an interrupted
	// asynchronous add may still take effect (Policy.AsyncAddWindow);
	// zero treats every such add as possibly still queued.
	Now time.Time
}

// Ref points at an image of a product: by its key, its platform ID, or both.
// An image a plan has yet to add has a key and no ID; an image imagesync does
// not manage has an ID and no key.
type Ref struct {
	// Key is the image's key, empty for an image imagesync does not manage.
	Key string `json:"key,omitempty"`
	// ImageID is the platform's image ID, empty for an image not added yet.
	ImageID string `json:"image_id,omitempty"`
}

// String returns the key, "#ID" for an image without a key, or "key#ID".
func (r Ref) String() string {
	switch {
	case r.ImageID == "":
		return r.Key
	case r.Key == "":
		return "#" + r.ImageID
	}
	return r.Key + "#" + r.ImageID
}

// DriftKind says what part of the desired gallery could not be reached.
type DriftKind string

// The kinds of drift.
const (
	// DriftAdd: an entry's image cannot be added (no source, a source kind
	// the platform does not take, the platform's image limit, or the
	// platform refused it).
	DriftAdd DriftKind = "add"
	// DriftDelete: an image the policy would delete cannot be deleted.
	DriftDelete DriftKind = "delete"
	// DriftAlt: an image's alt text cannot be changed.
	DriftAlt DriftKind = "alt"
	// DriftOrder: the images cannot be put in the desired order (or the
	// desired main image cannot be made main).
	DriftOrder DriftKind = "order"
	// DriftRecover: an interrupted add may have created an image, but which
	// one is ambiguous; the entry is not added again until that is resolved.
	DriftRecover DriftKind = "recover"
)

// Drift is a difference between the desired gallery and what the sync can
// reach, with the reason. Drift is reported, never silently skipped, and does
// not stop the sync of the rest of the gallery.
type Drift struct {
	// What is the part of the gallery that differs.
	What DriftKind `json:"what"`
	// Ref is the image concerned; empty for the order of the gallery.
	Ref Ref `json:"ref,omitzero"`
	// Reason says why the sync cannot fix it.
	Reason string `json:"reason"`
}

// String returns "what ref: reason".
func (d Drift) String() string {
	if d.Ref == (Ref{}) {
		return fmt.Sprintf("%s: %s", d.What, d.Reason)
	}
	return fmt.Sprintf("%s %s: %s", d.What, d.Ref, d.Reason)
}

// node is one image of the working model of a product's gallery.
type node struct {
	id  string // platform ID; empty until an image to add has been added
	key string // managing key, empty for an unknown image
	alt string
	idt string // see ident
	// rank is the node's index in the final gallery, set when it enters a
	// gallery (see gallery.rankOf).
	rank int
}

func newNode(id, key, alt string) node {
	n := node{id: id, key: key, alt: alt, idt: "k:" + key}
	if key == "" {
		n.idt = "i:" + id
	}
	return n
}

func (n node) ref() Ref { return Ref{Key: n.key, ImageID: n.id} }

// ident identifies a node within a plan, before and after its image exists:
// by its key, or by its image ID if it has no key.
func (n node) ident() string { return n.idt }

// goal is what the product must become, derived from an Input: identity
// resolved, what to delete and add, the final order and alt texts.
type goal struct {
	in      Input
	entries map[string]int // key -> index in Desired

	adopts   []Op      // store-only ops, in order
	adopted  []Mapping // the mappings adopts make
	forgets  []Op      //
	discards []Op      //

	start   []node // the current images, keys resolved, in current order
	deletes []Op   // platform deletes, in current order
	adds    []int  // indexes into Desired, in desired order
	final   []node // the final gallery, in order
	rank    map[string]int
	alt     map[string]string // image ID -> new alt text
	drift   []Drift
	// pin is the ident of the current main image when it is to be deleted
	// on a platform whose main image is a flag: it stays first, and is
	// deleted only once the others are in order, so that the image after
	// it becomes main without a write (see pinMain). Empty otherwise.
	pin string
	// unflagged: the platform has a main image, and the listing's first
	// image is not marked Main (a BigCommerce product whose thumbnail was
	// deleted, or sits further down): making the final first image main
	// costs a write even where it is already first.
	unflagged bool
}

// rankOf returns a node's index in the final gallery. An image that is not
// in it (one a refused delete left) ranks after all of them, except the
// pinned main image, which ranks before all of them (-1).
func (g *goal) rankOf(n node) int {
	if g.pin != "" && n.ident() == g.pin {
		return -1
	}
	if r, ok := g.rank[n.ident()]; ok {
		return r
	}
	return len(g.final)
}

// analyze derives the goal from in, in six steps: claim the store's
// mappings, recover interrupted adds, release what DeleteCreated keeps,
// adopt unknown images by source URL, sort the current images, and place
// the desired entries.
func analyze(in Input) (*goal, error) {
	present, err := checkInput(in)
	if err != nil {
		return nil, err
	}
	g := &goal{in: in, entries: make(map[string]int, len(in.Desired)), rank: make(map[string]int, len(in.Current)+len(in.Desired)), alt: map[string]string{}}
	for i, e := range in.Desired {
		g.entries[e.Key] = i
	}
	ids := newIdentity(len(in.State.Mappings) + len(in.Desired))
	g.claimMappings(ids, present)
	g.recoverIntents(ids)
	if in.Policy.Delete == DeleteCreated {
		g.releaseUncreated(ids)
	}
	if in.Policy.AdoptExisting && in.Caps.KeepsSourceURL {
		// Only where the platform lists an image under the URL it was
		// added from.
		g.adoptBySource(ids)
	}
	existing, tail := g.sortCurrent(ids)
	g.placeDesired(ids, existing, tail)
	for i, n := range g.final {
		g.rank[n.ident()] = i
	}
	g.unflagged = in.Caps.HasMain() && len(in.Current) > 0 && !in.Current[0].Main
	g.pin = pinMain(in.Caps, g)
	return g, nil
}

// checkInput checks the desired gallery and the listing, and returns the
// set of listed image IDs.
func checkInput(in Input) (map[string]bool, error) {
	if err := ValidateGallery(in.Desired); err != nil {
		return nil, err
	}
	present := make(map[string]bool, len(in.Current))
	for _, img := range in.Current {
		if err := guard.ValidateID("Current.ID", img.ID); err != nil {
			return nil, err
		}
		if present[img.ID] {
			return nil, &shopimg.InputError{Field: "Current", Reason: fmt.Sprintf("lists image %q twice", img.ID)}
		}
		present[img.ID] = true
	}
	return present, nil
}

// identity is which key is which image, as analyze resolves it.
type identity struct {
	keyOf   map[string]string // image ID -> key
	idOf    map[string]string // key -> image ID
	created map[string]bool   // key -> Mapping.Created
	pending map[string]bool   // keys of ambiguous intents
}

func newIdentity(n int) *identity {
	return &identity{keyOf: make(map[string]string, n), idOf: make(map[string]string, n), created: make(map[string]bool, n), pending: map[string]bool{}}
}

func (ids *identity) claim(m Mapping) {
	ids.keyOf[m.ImageID], ids.idOf[m.Key], ids.created[m.Key] = m.Key, m.ImageID, m.Created
}

// adopt claims m and records the store operation that makes it.
func (g *goal) adopt(ids *identity, m Mapping, why string) {
	ids.claim(m)
	g.adopts = append(g.adopts, Op{Kind: OpAdopt, Ref: Ref{Key: m.Key, ImageID: m.ImageID}, Reason: why})
	g.adopted = append(g.adopted, m)
}

// claimMappings claims the store's mappings of listed images and forgets
// the others; desired keys go first, so that a corrupt store that maps two
// keys to one image keeps the desired one.
func (g *goal) claimMappings(ids *identity, present map[string]bool) {
	ms := slices.Clone(g.in.State.Mappings)
	slices.SortStableFunc(ms, func(a, b Mapping) int {
		ia, oka := g.entries[a.Key]
		ib, okb := g.entries[b.Key]
		switch {
		case oka && okb:
			return ia - ib
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	})
	for _, m := range ms {
		ref := Ref{Key: m.Key, ImageID: m.ImageID}
		switch {
		case m.Key == "" || m.ImageID == "":
			g.forgets = append(g.forgets, Op{Kind: OpForget, Ref: ref, Reason: "malformed mapping"})
		case ids.idOf[m.Key] != "":
			// A Store keeps one mapping per key; ignore a second one.
		case ids.keyOf[m.ImageID] != "":
			g.forgets = append(g.forgets, Op{Kind: OpForget, Ref: ref, Reason: "image also mapped to key " + ids.keyOf[m.ImageID]})
		case !present[m.ImageID]:
			g.forgets = append(g.forgets, Op{Kind: OpForget, Ref: ref, Reason: "image is gone"})
		default:
			ids.claim(m)
		}
	}
}

// recoverIntents adopts the image each interrupted add created, discards
// the intents of adds that did not happen, and reports the ambiguous ones
// as drift (their keys become pending: nothing is added for them).
func (g *goal) recoverIntents(ids *identity) {
	for _, it := range g.in.State.Intents {
		if ids.idOf[it.Key] != "" {
			g.discards = append(g.discards, Op{Kind: OpDiscard, Ref: Ref{Key: it.Key}, Reason: "key is already mapped"})
			continue
		}
		cands := candidates(g.in.Current, it, ids.keyOf)
		if len(cands) == 0 && g.mayStillRun(it) {
			ids.pending[it.Key] = true
			g.drift = append(g.drift, Drift{What: DriftRecover, Ref: Ref{Key: it.Key}, Reason: fmt.Sprintf(
				"an interrupted add was queued by the platform and may still run (until %s); nothing is added until then",
				it.At.Add(g.asyncWindow()).UTC().Format(time.RFC3339))})
			continue
		}
		if len(cands) == 0 {
			g.discards = append(g.discards, Op{Kind: OpDiscard, Ref: Ref{Key: it.Key}, Reason: "the interrupted add did not happen"})
			continue
		}
		best, ok := pickCandidate(cands, it)
		if !ok {
			ids.pending[it.Key] = true
			g.drift = append(g.drift, Drift{What: DriftRecover, Ref: Ref{Key: it.Key}, Reason: fmt.Sprintf(
				"an interrupted add may have created one of images %s, and none matches it clearly; delete the extra image or map the key by hand (nothing is added until then)",
				strings.Join(imageIDs(cands), ", "))})
			continue
		}
		g.adopt(ids, Mapping{Key: it.Key, ImageID: best.ID, Created: true}, "created by an interrupted add")
	}
}

// asyncWindow is the policy's AsyncAddWindow, or its default.
func (g *goal) asyncWindow() time.Duration {
	if w := g.in.Policy.AsyncAddWindow; w > 0 {
		return w
	}
	return DefaultAsyncAddWindow
}

// mayStillRun reports whether the interrupted add it, which left no image,
// may still take effect: the platform adds asynchronously and the job may
// still be queued.
func (g *goal) mayStillRun(it Intent) bool {
	if !g.in.Caps.AsyncAdd {
		return false
	}
	return g.in.Now.IsZero() || g.in.Now.Before(it.At.Add(g.asyncWindow()))
}

// imageIDs returns the IDs of imgs.
func imageIDs(imgs []shopimg.Image) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = img.ID
	}
	return out
}

// releaseUncreated releases the undesired images the DeleteCreated policy
// keeps (those imagesync did not add): they become unknown, and may be
// adopted by adoptBySource.
func (g *goal) releaseUncreated(ids *identity) {
	for _, img := range g.in.Current {
		k := ids.keyOf[img.ID]
		if _, desired := g.entries[k]; k != "" && !desired && !ids.created[k] {
			g.forgets = append(g.forgets, Op{Kind: OpForget, Ref: Ref{Key: k, ImageID: img.ID}, Reason: "released: not desired, and not created by imagesync"})
			delete(ids.keyOf, img.ID)
			delete(ids.idOf, k)
		}
	}
}

// adoptBySource makes each unmapped entry adopt the first unknown image
// whose URL is its source URL (Policy.AdoptExisting).
func (g *goal) adoptBySource(ids *identity) {
	for _, e := range g.in.Desired {
		if ids.idOf[e.Key] != "" || ids.pending[e.Key] || e.SourceURL == "" {
			continue
		}
		i := slices.IndexFunc(g.in.Current, func(img shopimg.Image) bool { return ids.keyOf[img.ID] == "" && img.URL == e.SourceURL })
		if i >= 0 {
			g.adopt(ids, Mapping{Key: e.Key, ImageID: g.in.Current[i].ID}, "URL equals the source URL")
		}
	}
}

// sortCurrent sorts the current images, keys resolved, into g.start, and
// returns those of desired keys (by key) and those kept at the end (in
// current order); the others are deleted, or drift where the platform
// cannot delete.
func (g *goal) sortCurrent(ids *identity) (existing map[string]node, tail []node) {
	existing = make(map[string]node, len(g.in.Current))
	g.start = make([]node, 0, len(g.in.Current))
	for _, img := range g.in.Current {
		n := newNode(img.ID, ids.keyOf[img.ID], img.Alt)
		g.start = append(g.start, n)
		if _, ok := g.entries[n.key]; ok && n.key != "" {
			existing[n.key] = n
			continue
		}
		del, why := g.deleteVerdict(n)
		switch {
		case !del:
			tail = append(tail, n)
		case !g.in.Caps.Delete:
			g.drift = append(g.drift, Drift{What: DriftDelete, Ref: n.ref(), Reason: "the platform cannot delete images (" + why + ")"})
			tail = append(tail, n)
		default:
			g.deletes = append(g.deletes, Op{Kind: OpDelete, Ref: n.ref(), Writes: 1, Reason: why})
		}
	}
	return existing, tail
}

// placeDesired builds the final gallery: each desired entry present (its
// alt text to fix), to add, or drift; then tail.
func (g *goal) placeDesired(ids *identity, existing map[string]node, tail []node) {
	caps := g.in.Caps
	g.final = make([]node, 0, len(g.in.Current)+len(g.in.Desired))
	room := -1
	if caps.MaxImages > 0 {
		room = max(caps.MaxImages-len(existing)-len(tail), 0)
	}
	for i, e := range g.in.Desired {
		if n, ok := existing[e.Key]; ok {
			g.final = append(g.final, n)
			g.fixAlt(n, e.Alt)
			continue
		}
		if ids.pending[e.Key] {
			continue
		}
		if why := addBlocker(e, caps, room); why != "" {
			g.drift = append(g.drift, Drift{What: DriftAdd, Ref: Ref{Key: e.Key}, Reason: why})
			continue
		}
		room--
		g.adds = append(g.adds, i)
		g.final = append(g.final, newNode("", e.Key, e.Alt))
	}
	g.final = append(g.final, tail...)
}

// fixAlt records that image n must get the alt text alt, or the drift if
// the platform cannot change it.
func (g *goal) fixAlt(n node, alt string) {
	switch {
	case n.alt == alt:
	case g.in.Caps.Update:
		g.alt[n.id] = alt
	default:
		g.drift = append(g.drift, Drift{What: DriftAlt, Ref: n.ref(), Reason: fmt.Sprintf("the platform cannot change alt text (%q, want %q)", n.alt, alt)})
	}
}

// pinMain returns the ident of the current main image if the plan keeps it
// first until the other images are in order and deletes it then, or "".
// That is where the main image is a flag (Capabilities.MainIsFlag) and the
// main image is to be deleted: deleted first, it would leave the next
// image main, and making another one main would cost a write; deleted
// last, it leaves the final first image main for free, and the images
// behind it are ordered as if the main image stayed. Not when an added
// image becomes main (it takes the flag itself, see mainAddFirst), nor
// where adds only append and the limit of images leaves no room for the
// main image while they are added, nor when the listing shows no main image
// (there is no flag to pass on).
func pinMain(caps shopimg.Capabilities, g *goal) string {
	if !caps.MainIsFlag || !caps.Reorder || caps.BatchReorder || len(g.start) == 0 || mainAddFirst(caps, g) || g.unflagged {
		return ""
	}
	m := g.start[0]
	if !slices.ContainsFunc(g.deletes, func(d Op) bool { return d.Ref.ImageID == m.id }) {
		return ""
	}
	if !caps.AddAtPosition && caps.MaxImages > 0 && len(g.start)-len(g.deletes)+1+len(g.adds) > caps.MaxImages {
		return ""
	}
	return m.ident()
}

// deleteVerdict says whether the policy deletes n, an image that is not in
// the desired gallery, and why. (DeleteCreated has released the images it
// keeps.)
func (g *goal) deleteVerdict(n node) (bool, string) {
	switch {
	case n.key != "":
		return true, "key no longer desired"
	case g.in.Policy.Delete == MirrorExact:
		return true, "unknown image, policy mirror-exact"
	}
	return false, ""
}

// addBlocker says why entry e cannot be added, or "".
func addBlocker(e Entry, caps shopimg.Capabilities, room int) string {
	switch {
	case e.SourceURL == "" && e.File == nil:
		return "the entry has no source to add the image from"
	case e.File != nil && !caps.AddFromFile:
		return "the platform cannot upload image files"
	case e.SourceURL != "" && !caps.AddFromURL:
		return "the platform cannot add images from a URL"
	case room == 0:
		return fmt.Sprintf("the product would have more than %d images, the platform's limit", caps.MaxImages)
	}
	return ""
}

// candidates returns the listed images an interrupted add described by it
// may have created: those that were not there before it and that no key
// maps to, in listing order.
func candidates(current []shopimg.Image, it Intent, keyOf map[string]string) []shopimg.Image {
	before := make(map[string]bool, len(it.Before))
	for _, id := range it.Before {
		before[id] = true
	}
	var out []shopimg.Image
	for _, img := range current {
		if !before[img.ID] && keyOf[img.ID] == "" {
			out = append(out, img)
		}
	}
	return out
}

// pickCandidate chooses the image an interrupted add created among cands.
// Each candidate scores 4 if its URL is the source URL, 2 if the last
// segment of its URL contains the source's file name stem (platforms that
// copy an image keep its name, with a suffix: BigCommerce's
// "shoe__83011.jpg"), and 1 if its alt text is the one sent. The unique best
// candidate with a score above zero wins; a tie, or a lone candidate that
// matches nothing, is ambiguous.
func pickCandidate(cands []shopimg.Image, it Intent) (shopimg.Image, bool) {
	name := it.FileName
	if name == "" && it.SourceURL != "" {
		name = path.Base(strings.SplitN(it.SourceURL, "?", 2)[0])
	}
	stem := strings.ToLower(strings.TrimSuffix(name, path.Ext(name)))
	best, bestScore, tie := -1, 0, false
	for i, c := range cands {
		score := 0
		if it.SourceURL != "" && c.URL == it.SourceURL {
			score += 4
		}
		if stem != "" && strings.Contains(strings.ToLower(path.Base(strings.SplitN(c.URL, "?", 2)[0])), stem) {
			score += 2
		}
		if c.Alt == it.Alt {
			score++
		}
		switch {
		case score > bestScore:
			best, bestScore, tie = i, score, false
		case score == bestScore:
			tie = true
		}
	}
	if best < 0 || tie {
		return shopimg.Image{}, false
	}
	return cands[best], true
}
