package boltstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/shopimg/shopimg/imagesync"
)

// The layout (see the package documentation).
var (
	rootBucket     = []byte("imagesync/v2")
	v1Bucket       = []byte("imagesync/v1")
	mappingsBucket = []byte("mappings")
	intentsBucket  = []byte("intents")
	sumKey         = []byte("sum")
)

// recordVersion is the first byte of every value: the record encoding.
const recordVersion = 2

// recordHeader is the version byte and the CRC-32C before the payload.
const recordHeader = 5

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// digest is a product's or the file's SHA-256 summary.
type digest [sha256.Size]byte

// recordCRC is the checksum of a record: its payload, and where it is
// stored (product bucket name, bucket, key), so that a record that moved
// or whose key changed fails too.
func recordCRC(product, bucket, key, payload []byte) uint32 {
	var b []byte
	for _, part := range [][]byte{product, bucket, key, payload} {
		b = binary.AppendUvarint(b, uint64(len(part)))
		b = append(b, part...)
	}
	return crc32.Checksum(b, castagnoli)
}

// seal encodes payload as the record stored under key in bucket of
// product.
func seal(product, bucket, key, payload []byte) []byte {
	v := make([]byte, recordHeader, recordHeader+len(payload))
	v[0] = recordVersion
	binary.BigEndian.PutUint32(v[1:], recordCRC(product, bucket, key, payload))
	return append(v, payload...)
}

// unseal checks a stored record and returns its payload.
func unseal(product, bucket, key, v []byte) ([]byte, error) {
	switch {
	case len(v) < recordHeader:
		return nil, fmt.Errorf("record %q is cut short", key)
	case v[0] != recordVersion:
		return nil, fmt.Errorf("record %q has encoding version %d, not %d", key, v[0], recordVersion)
	case binary.BigEndian.Uint32(v[1:]) != recordCRC(product, bucket, key, v[recordHeader:]):
		return nil, fmt.Errorf("record %q fails its checksum", key)
	}
	return v[recordHeader:], nil
}

// A mapping's payload (the key is the record's key) is a flags byte, then
// the image ID.
const createdFlag = 0x01

// mappingPayload encodes a mapping's payload.
func mappingPayload(m imagesync.Mapping) []byte {
	var flags byte
	if m.Created {
		flags |= createdFlag
	}
	return append([]byte{flags}, m.ImageID...)
}

// mappingV1 is a mapping's JSON value in the earlier layout.
type mappingV1 struct {
	ImageID string `json:"image_id"`
	Created bool   `json:"created,omitempty"`
}

// decode decodes a JSON payload strictly: no unknown field, nothing after.
func decode(payload []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("data after the record")
	}
	return nil
}

// summer computes a product's digest over its records, in the order they
// are stored.
type summer struct{ b []byte }

func (s *summer) add(bucket, key, v []byte) {
	for _, part := range [][]byte{bucket, key, v} {
		s.b = binary.AppendUvarint(s.b, uint64(len(part)))
		s.b = append(s.b, part...)
	}
}

func (s *summer) sum() digest { return sha256.Sum256(s.b) }

// fileTerm is a product's share of the file's digest, which is the XOR of
// the terms of all products: a product that vanished changes it.
func fileTerm(name []byte, d digest) digest {
	var s summer
	s.add(name, d[:], nil)
	return s.sum()
}

func (d *digest) xor(o digest) {
	for i := range d {
		d[i] ^= o[i]
	}
}

// readProduct reads and checks the product bucket p named name: only the
// known buckets and keys, every record's checksum, and the product's
// digest. It returns the state and the digest.
func readProduct(p *bbolt.Bucket, name []byte) (imagesync.State, digest, error) {
	var st imagesync.State
	var s summer
	err := p.ForEach(func(k, v []byte) error {
		switch {
		case bytes.Equal(k, sumKey) && v != nil:
		case bytes.Equal(k, mappingsBucket) && v == nil:
		case bytes.Equal(k, intentsBucket) && v == nil:
		default:
			return fmt.Errorf("unexpected entry %q", k)
		}
		return nil
	})
	if err == nil {
		err = readRecords(p.Bucket(mappingsBucket), name, mappingsBucket, &s, func(k, payload []byte) error {
			return addMapping(&st, k, payload)
		})
	}
	if err == nil {
		err = readRecords(p.Bucket(intentsBucket), name, intentsBucket, &s, func(k, payload []byte) error {
			return addIntent(&st, k, payload)
		})
	}
	if err != nil {
		return imagesync.State{}, digest{}, err
	}
	d := s.sum()
	stored, err := unseal(name, nil, sumKey, p.Get(sumKey))
	switch {
	case err != nil:
		return imagesync.State{}, digest{}, err
	case !bytes.Equal(stored, d[:]):
		return imagesync.State{}, digest{}, errors.New("its records do not add up to its digest: some are missing or were added")
	case len(st.Mappings)+len(st.Intents) == 0:
		return imagesync.State{}, digest{}, errors.New("it has no records")
	}
	return st, d, nil
}

// readRecords checks and passes on every record of bucket b (named bucket,
// in product name), adding it to s.
func readRecords(b *bbolt.Bucket, name, bucket []byte, s *summer, f func(k, payload []byte) error) error {
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			return fmt.Errorf("unexpected bucket %q in %s", k, bucket)
		}
		payload, err := unseal(name, bucket, k, v)
		if err != nil {
			return fmt.Errorf("%s: %w", bucket, err)
		}
		s.add(bucket, k, v)
		return f(k, payload)
	})
}

func addMapping(st *imagesync.State, k, payload []byte) error {
	if len(k) == 0 || len(payload) < 2 || payload[0]&^createdFlag != 0 {
		return fmt.Errorf("mapping %q is malformed", k)
	}
	st.Mappings = append(st.Mappings, imagesync.Mapping{Key: string(k), ImageID: string(payload[1:]), Created: payload[0]&createdFlag != 0})
	return nil
}

func addMappingV1(st *imagesync.State, k, v []byte) error {
	var m mappingV1
	if err := decode(v, &m); err != nil || m.ImageID == "" {
		return fmt.Errorf("mapping %q is malformed (%v)", k, err)
	}
	return addMapping(st, k, mappingPayload(imagesync.Mapping{ImageID: m.ImageID, Created: m.Created}))
}

func addIntent(st *imagesync.State, k, payload []byte) error {
	var in imagesync.Intent
	if err := decode(payload, &in); err != nil || len(k) != 8 || in.Key == "" {
		return fmt.Errorf("intent %x is malformed (%v)", k, err)
	}
	if slices.ContainsFunc(st.Intents, func(o imagesync.Intent) bool { return o.Key == in.Key }) {
		return fmt.Errorf("two intents for key %q", in.Key)
	}
	st.Intents = append(st.Intents, in)
	return nil
}

// writeProduct replaces the product bucket name of root with st (none if
// st is empty) and returns its digest, and whether it exists.
func writeProduct(root *bbolt.Bucket, name []byte, st imagesync.State) (digest, bool, error) {
	if root.Bucket(name) != nil {
		if err := root.DeleteBucket(name); err != nil {
			return digest{}, false, err
		}
	}
	if len(st.Mappings)+len(st.Intents) == 0 {
		return digest{}, false, nil
	}
	p, err := root.CreateBucket(name)
	if err != nil {
		return digest{}, false, err
	}
	var s summer
	put := func(b *bbolt.Bucket, bucket, k, payload []byte) error {
		sealed := seal(name, bucket, k, payload)
		s.add(bucket, k, sealed)
		return b.Put(k, sealed)
	}
	ms := slices.SortedFunc(slices.Values(st.Mappings), func(a, b imagesync.Mapping) int { return strings.Compare(a.Key, b.Key) })
	if err := putAll(p, mappingsBucket, ms, func(b *bbolt.Bucket, _ int, m imagesync.Mapping) error {
		if m.Key == "" || m.ImageID == "" {
			return fmt.Errorf("mapping %+v has an empty key or image ID", m)
		}
		return put(b, mappingsBucket, []byte(m.Key), mappingPayload(m))
	}); err != nil {
		return digest{}, false, err
	}
	if err := putAll(p, intentsBucket, st.Intents, func(b *bbolt.Bucket, i int, in imagesync.Intent) error {
		payload, err := json.Marshal(in)
		if err != nil {
			return err
		}
		return put(b, intentsBucket, binary.BigEndian.AppendUint64(nil, uint64(i+1)), payload)
	}); err != nil {
		return digest{}, false, err
	}
	d := s.sum()
	return d, true, p.Put(sumKey, seal(name, nil, sumKey, d[:]))
}

// putAll creates bucket name in p, unless items is empty, and puts every
// item in it.
func putAll[T any](p *bbolt.Bucket, name []byte, items []T, put func(*bbolt.Bucket, int, T) error) error {
	if len(items) == 0 {
		return nil
	}
	b, err := p.CreateBucket(name)
	if err != nil {
		return err
	}
	for i, it := range items {
		if err := put(b, i, it); err != nil {
			return err
		}
	}
	return nil
}

// fileDigest reads the file's stored digest from root.
func fileDigest(root *bbolt.Bucket) (digest, error) {
	var d digest
	v, err := unseal(nil, nil, sumKey, root.Get(sumKey))
	if err != nil {
		return d, fmt.Errorf("the file's digest: %w", err)
	}
	if len(v) != len(d) {
		return d, errors.New("the file's digest is malformed")
	}
	copy(d[:], v)
	return d, nil
}

// putFileDigest stores the file's digest in root.
func putFileDigest(root *bbolt.Bucket, d digest) error {
	return root.Put(sumKey, seal(nil, nil, sumKey, d[:]))
}

// productRef decodes a product bucket's name.
func productRef(name []byte) (imagesync.ProductRef, error) {
	var parts []string
	if err := decode(name, &parts); err != nil || len(parts) != 3 {
		return imagesync.ProductRef{}, fmt.Errorf("bucket %q is not a product", name)
	}
	return imagesync.ProductRef{Platform: parts[0], Store: parts[1], Product: parts[2]}, nil
}

func productName(ref imagesync.ProductRef) []byte {
	b, _ := json.Marshal([]string{ref.Platform, ref.Store, ref.Product})
	return b
}

// checkAll checks every product of root against its records and the
// file's digest.
func checkAll(root *bbolt.Bucket) error {
	want, err := fileDigest(root)
	if err != nil {
		return err
	}
	var got digest
	err = root.ForEach(func(k, v []byte) error {
		if v != nil {
			if bytes.Equal(k, sumKey) {
				return nil
			}
			return fmt.Errorf("unexpected key %q", k)
		}
		if _, err := productRef(k); err != nil {
			return err
		}
		_, d, err := readProduct(root.Bucket(k), k)
		if err != nil {
			return fmt.Errorf("product %s: %w", k, err)
		}
		got.xor(fileTerm(k, d))
		return nil
	})
	if err == nil && got != want {
		err = errors.New("its products do not add up to its digest: a product is missing or was added")
	}
	return err
}

// migrateV1 converts the layout imagesync/v1 (JSON values without
// checksums, written by earlier versions) into the current one, in the
// transaction tx; root is the new, empty root bucket.
func migrateV1(tx *bbolt.Tx, root *bbolt.Bucket) error {
	old := tx.Bucket(v1Bucket)
	var all digest
	err := old.ForEach(func(name, v []byte) error {
		if _, err := productRef(name); err != nil || v != nil {
			return fmt.Errorf("%s: entry %q is not a product", v1Bucket, name)
		}
		st, err := readV1Product(old.Bucket(name))
		if err != nil {
			return fmt.Errorf("%s: product %s: %w", v1Bucket, name, err)
		}
		d, ok, err := writeProduct(root, name, st)
		if ok {
			all.xor(fileTerm(name, d))
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := putFileDigest(root, all); err != nil {
		return err
	}
	return tx.DeleteBucket(v1Bucket)
}

// readV1Product reads a product bucket of the v1 layout.
func readV1Product(p *bbolt.Bucket) (imagesync.State, error) {
	var st imagesync.State
	err := p.ForEach(func(k, v []byte) error {
		var add func(st *imagesync.State, k, payload []byte) error
		switch {
		case bytes.Equal(k, mappingsBucket) && v == nil:
			add = addMappingV1
		case bytes.Equal(k, intentsBucket) && v == nil:
			add = addIntent
		default:
			return fmt.Errorf("unexpected entry %q", k)
		}
		return p.Bucket(k).ForEach(func(k, v []byte) error {
			if v == nil {
				return fmt.Errorf("unexpected bucket %q", k)
			}
			return add(&st, k, v)
		})
	})
	return st, err
}
