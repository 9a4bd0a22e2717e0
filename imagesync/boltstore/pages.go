package boltstore

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
)

// The parts of bbolt's file format (version 2) that checkPages reads: a
// page header, the meta page, branch and leaf elements, and a bucket
// header in a leaf value (followed by the bucket's page when it is inline).
const (
	pageHeaderSize   = 16
	elementSize      = 16
	bucketHeaderSize = 16
	metaSize         = 64
	metaSumOffset    = 56 // the meta's checksum covers the bytes before it
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	noFreelist       = ^uint64(0)
	branchPage       = 0x01
	leafPage         = 0x02
	freelistPage     = 0x10
	bucketElement    = 0x01
	maxTreeDepth     = 64
)

var native = binary.NativeEndian

// meta is what checkPages reads from a meta page.
type meta struct {
	root, freelist, hwm, txid uint64
}

// readMeta reads and validates meta page i (0 or 1) of data.
func readMeta(data []byte, pageSize, i int) (meta, error) {
	off := i*pageSize + pageHeaderSize
	if len(data) < off+metaSize {
		return meta{}, fmt.Errorf("meta page %d is cut short", i)
	}
	m := data[off : off+metaSize]
	h := fnv.New64a()
	h.Write(m[:metaSumOffset])
	switch {
	case native.Uint32(m[0:]) != boltMagic || native.Uint32(m[4:]) != boltVersion:
		return meta{}, fmt.Errorf("meta page %d is not a bbolt version %d meta page", i, boltVersion)
	case native.Uint64(m[metaSumOffset:]) != h.Sum64():
		return meta{}, fmt.Errorf("meta page %d fails its checksum", i)
	case int(native.Uint32(m[8:])) != pageSize:
		return meta{}, fmt.Errorf("meta page %d gives page size %d, not %d", i, native.Uint32(m[8:]), pageSize)
	}
	return meta{root: native.Uint64(m[16:]), freelist: native.Uint64(m[32:]), hwm: native.Uint64(m[40:]), txid: native.Uint64(m[48:])}, nil
}

// checkPages checks the structure of a bbolt file before bbolt walks it:
// both meta pages valid (bbolt would quietly fall back to the older one,
// losing the last transaction), and every page reachable from the current
// meta page (the freelist, and the tree of buckets with their inline
// buckets) inside the file, referenced once, of the right type, with its
// elements inside it. bbolt itself reads pages through unchecked pointers
// into its memory map, so a damaged page number or element offset would
// make it read outside the map and crash the process; after checkPages,
// bbolt's own Check and the record checksums find the rest. txid is the
// transaction bbolt opened the file at.
func checkPages(data []byte, pageSize int, txid uint64) error {
	var metas [2]meta
	for i := range metas {
		m, err := readMeta(data, pageSize, i)
		if err != nil {
			return err
		}
		metas[i] = m
	}
	cur := metas[0]
	if metas[1].txid > cur.txid {
		cur = metas[1]
	}
	if cur.txid != txid {
		return fmt.Errorf("the meta pages name transaction %d, bbolt opened %d", cur.txid, txid)
	}
	if cur.hwm < 3 || cur.hwm > uint64(len(data)/pageSize) {
		return fmt.Errorf("the meta page counts %d pages, the file holds %d", cur.hwm, len(data)/pageSize)
	}
	c := &pageChecker{data: data, pageSize: uint64(pageSize), hwm: cur.hwm, seen: map[uint64]bool{}}
	if cur.freelist != noFreelist {
		if err := c.freelist(cur.freelist); err != nil {
			return err
		}
	}
	return c.tree(cur.root, 0)
}

// pageChecker walks the pages of a file below the high-water mark hwm.
type pageChecker struct {
	data     []byte
	pageSize uint64
	hwm      uint64
	seen     map[uint64]bool
}

// page returns page id with its overflow pages, after checking that they
// are inside the file and were not reached before.
func (c *pageChecker) page(id uint64) ([]byte, error) {
	if id < 2 || id >= c.hwm {
		return nil, fmt.Errorf("page %d is out of range [2, %d)", id, c.hwm)
	}
	off := id * c.pageSize
	if got := native.Uint64(c.data[off:]); got != id {
		return nil, fmt.Errorf("page %d says it is page %d", id, got)
	}
	last := id + uint64(native.Uint32(c.data[off+12:]))
	if last >= c.hwm {
		return nil, fmt.Errorf("page %d overflows past page %d", id, c.hwm)
	}
	for p := id; p <= last; p++ {
		if c.seen[p] {
			return nil, fmt.Errorf("page %d is referenced twice", p)
		}
		c.seen[p] = true
	}
	return c.data[off : (last+1)*c.pageSize], nil
}

// freelist checks the freelist page id: its list of page IDs fits in it
// and names pages in range.
func (c *pageChecker) freelist(id uint64) error {
	p, err := c.page(id)
	if err != nil {
		return fmt.Errorf("freelist: %w", err)
	}
	if flags := native.Uint16(p[8:]); flags != freelistPage {
		return fmt.Errorf("freelist page %d has type %#x", id, flags)
	}
	start, count := uint64(pageHeaderSize), uint64(native.Uint16(p[10:]))
	if count == 0xFFFF { // the count is the first entry
		if len(p) < pageHeaderSize+8 {
			return fmt.Errorf("freelist page %d is cut short", id)
		}
		start, count = start+8, native.Uint64(p[pageHeaderSize:])
	}
	if count > (uint64(len(p))-start)/8 {
		return fmt.Errorf("freelist page %d lists %d pages, more than fit", id, count)
	}
	for i := range count {
		if free := native.Uint64(p[start+8*i:]); free < 2 || free >= c.hwm {
			return fmt.Errorf("freelist page %d lists page %d, out of range", id, free)
		}
	}
	return nil
}

// tree checks the branch or leaf page id and everything below it.
func (c *pageChecker) tree(id uint64, depth int) error {
	if depth > maxTreeDepth {
		return fmt.Errorf("page %d is nested deeper than %d levels", id, maxTreeDepth)
	}
	p, err := c.page(id)
	if err != nil {
		return err
	}
	switch flags := native.Uint16(p[8:]); flags {
	case leafPage:
		return c.leaf(p, id, depth)
	case branchPage:
		return c.branch(p, id, depth)
	default:
		return fmt.Errorf("page %d has type %#x, not a branch or leaf page", id, flags)
	}
}

// branch checks the branch page p (page id) and the pages below it.
func (c *pageChecker) branch(p []byte, id uint64, depth int) error {
	count := int(native.Uint16(p[10:]))
	if count == 0 {
		return fmt.Errorf("branch page %d is empty", id)
	}
	for i := range count {
		// A branch element: key offset, key size, child page.
		off, err := element(p, i)
		if err != nil {
			return fmt.Errorf("page %d: %w", id, err)
		}
		if _, err := span(p, off, native.Uint32(p[off:]), native.Uint32(p[off+4:]), 0); err != nil {
			return fmt.Errorf("page %d: element %d: %w", id, i, err)
		}
		if err := c.tree(native.Uint64(p[off+8:]), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// leaf checks the leaf page p (page id, or 0 for an inline bucket's page):
// its keys and values lie inside it, and the buckets it holds are sound.
func (c *pageChecker) leaf(p []byte, id uint64, depth int) error {
	for i := range int(native.Uint16(p[10:])) {
		// A leaf element: flags, key offset, key size, value size.
		off, err := element(p, i)
		if err != nil {
			return fmt.Errorf("page %d: %w", id, err)
		}
		flags := native.Uint32(p[off:])
		if flags&^bucketElement != 0 {
			return fmt.Errorf("page %d: element %d has flags %#x", id, i, flags)
		}
		v, err := span(p, off, native.Uint32(p[off+4:]), native.Uint32(p[off+8:]), native.Uint32(p[off+12:]))
		if err != nil {
			return fmt.Errorf("page %d: element %d: %w", id, i, err)
		}
		if flags&bucketElement != 0 {
			if err := c.bucket(v, id, depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// bucket checks a bucket header v (in a leaf of page id) and its pages.
func (c *pageChecker) bucket(v []byte, id uint64, depth int) error {
	if len(v) < bucketHeaderSize {
		return fmt.Errorf("page %d: a bucket header is cut short", id)
	}
	if root := native.Uint64(v); root != 0 {
		return c.tree(root, depth+1)
	}
	inline := v[bucketHeaderSize:]
	if len(inline) < pageHeaderSize || native.Uint16(inline[8:]) != leafPage || depth > maxTreeDepth {
		return fmt.Errorf("page %d: an inline bucket is damaged", id)
	}
	return c.leaf(inline, 0, depth+1)
}

// element returns the offset in page p of its element i.
func element(p []byte, i int) (int, error) {
	off := pageHeaderSize + i*elementSize
	if off+elementSize > len(p) {
		return 0, fmt.Errorf("element %d lies outside the page", i)
	}
	return off, nil
}

// span checks that the key (ksize bytes at pos from the element at off)
// and the value (vsize bytes after the key) lie inside page p, and returns
// the value.
func span(p []byte, off int, pos, ksize, vsize uint32) ([]byte, error) {
	start := uint64(off) + uint64(pos)
	end := start + uint64(ksize) + uint64(vsize)
	if end > uint64(len(p)) {
		return nil, fmt.Errorf("its key or value lies outside the page")
	}
	return p[start+uint64(ksize) : end], nil
}
