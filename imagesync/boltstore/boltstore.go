// Package boltstore is an imagesync.Store in a go.etcd.io/bbolt file: the
// embedded default for programs that must survive a crash in the middle of a
// sync. It lives in its own package so that imagesync itself, and programs
// that bring their own Store, do not depend on bbolt.
//
// Every Save is one bbolt read-write transaction, committed (and fsynced,
// unless the caller opened the file with bbolt.Options.NoSync) before it
// returns, which is what imagesync's crash safety needs. bbolt locks the file,
// so one process at a time can open it; several goroutines of that process
// can share the Store.
//
// Layout, for tools that read the file: a top bucket "imagesync/v1" holds a
// bucket per product, named by the JSON array [platform, store, product];
// each has a bucket "mappings" (key -> JSON {"image_id", "created"}) and a
// bucket "intents" (8-byte big-endian sequence number -> JSON
// imagesync.Intent), so intents come back in the order they were begun.
package boltstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"github.com/shopimg/shopimg/imagesync"
)

var (
	rootBucket     = []byte("imagesync/v1")
	mappingsBucket = []byte("mappings")
	intentsBucket  = []byte("intents")
)

// Store is an imagesync.Store in a bbolt file. It is safe for concurrent use.
type Store struct {
	db *bbolt.DB
}

var _ imagesync.Store = (*Store)(nil)

// Open opens (creating it if needed) the store in the file at path. opts are
// passed to bbolt.Open; nil means a 1-second timeout for the file lock, so a
// second process fails instead of waiting forever.
func Open(path string, opts *bbolt.Options) (*Store, error) {
	if opts == nil {
		opts = &bbolt.Options{Timeout: time.Second}
	}
	db, err := bbolt.Open(path, 0o600, opts)
	if err != nil {
		return nil, fmt.Errorf("boltstore: opening %s: %w", path, err)
	}
	if !db.IsReadOnly() {
		err = db.Update(func(tx *bbolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists(rootBucket)
			return err
		})
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("boltstore: initialising %s: %w", path, err)
		}
	}
	return &Store{db: db}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the underlying database, for backups (bbolt.Tx.WriteTo) and
// inspection.
func (s *Store) DB() *bbolt.DB { return s.db }

// mapping is a mapping as stored (the key is the bucket key).
type mapping struct {
	ImageID string `json:"image_id"`
	Created bool   `json:"created,omitempty"`
}

func productName(ref imagesync.ProductRef) []byte {
	b, _ := json.Marshal([]string{ref.Platform, ref.Store, ref.Product})
	return b
}

// Load returns the product's state.
func (s *Store) Load(ctx context.Context, ref imagesync.ProductRef) (imagesync.State, error) {
	if err := ctx.Err(); err != nil {
		return imagesync.State{}, err
	}
	var st imagesync.State
	err := s.db.View(func(tx *bbolt.Tx) error {
		root := tx.Bucket(rootBucket)
		if root == nil {
			return nil
		}
		p := root.Bucket(productName(ref))
		if p == nil {
			return nil
		}
		if b := p.Bucket(mappingsBucket); b != nil {
			err := b.ForEach(func(k, v []byte) error {
				var m mapping
				if err := json.Unmarshal(v, &m); err != nil {
					return fmt.Errorf("mapping %q: %w", k, err)
				}
				st.Mappings = append(st.Mappings, imagesync.Mapping{Key: string(k), ImageID: m.ImageID, Created: m.Created})
				return nil
			})
			if err != nil {
				return err
			}
		}
		if b := p.Bucket(intentsBucket); b != nil {
			return b.ForEach(func(k, v []byte) error {
				var in imagesync.Intent
				if err := json.Unmarshal(v, &in); err != nil {
					return fmt.Errorf("intent %x: %w", k, err)
				}
				st.Intents = append(st.Intents, in)
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return imagesync.State{}, fmt.Errorf("boltstore: loading %s: %w", ref, err)
	}
	return st, nil
}

// Save applies c to the product's state in one transaction.
func (s *Store) Save(ctx context.Context, ref imagesync.ProductRef, c imagesync.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.IsZero() {
		return nil
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(rootBucket)
		if err != nil {
			return err
		}
		name := productName(ref)
		p, err := root.CreateBucketIfNotExists(name)
		if err != nil {
			return err
		}
		ms, err := p.CreateBucketIfNotExists(mappingsBucket)
		if err != nil {
			return err
		}
		is, err := p.CreateBucketIfNotExists(intentsBucket)
		if err != nil {
			return err
		}
		for _, m := range c.Put {
			if m.Key == "" {
				return errors.New("mapping with an empty key")
			}
			v, err := json.Marshal(mapping{ImageID: m.ImageID, Created: m.Created})
			if err != nil {
				return err
			}
			if err := ms.Put([]byte(m.Key), v); err != nil {
				return err
			}
		}
		for _, k := range c.Drop {
			if err := ms.Delete([]byte(k)); err != nil {
				return err
			}
		}
		resolve := map[string]bool{}
		if c.Begin != nil {
			resolve[c.Begin.Key] = true // replaced
		}
		for _, k := range c.Resolve {
			resolve[k] = true
		}
		if err := deleteIntents(is, resolve); err != nil {
			return err
		}
		if c.Begin != nil && !slices.Contains(c.Resolve, c.Begin.Key) {
			seq, err := is.NextSequence()
			if err != nil {
				return err
			}
			v, err := json.Marshal(c.Begin)
			if err != nil {
				return err
			}
			if err := is.Put(binary.BigEndian.AppendUint64(nil, seq), v); err != nil {
				return err
			}
		}
		if empty(ms) && empty(is) {
			return root.DeleteBucket(name)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("boltstore: saving %s: %w", ref, err)
	}
	return nil
}

// deleteIntents removes the intents whose key is in keys.
func deleteIntents(b *bbolt.Bucket, keys map[string]bool) error {
	if len(keys) == 0 {
		return nil
	}
	var doomed [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var in struct {
			Key string `json:"key"`
		}
		if err := json.Unmarshal(v, &in); err != nil {
			return fmt.Errorf("intent %x: %w", k, err)
		}
		if keys[in.Key] {
			doomed = append(doomed, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func empty(b *bbolt.Bucket) bool {
	k, _ := b.Cursor().First()
	return k == nil
}

// Products returns the products that have state, in the file's order.
func (s *Store) Products() ([]imagesync.ProductRef, error) {
	var out []imagesync.ProductRef
	err := s.db.View(func(tx *bbolt.Tx) error {
		root := tx.Bucket(rootBucket)
		if root == nil {
			return nil
		}
		return root.ForEachBucket(func(k []byte) error {
			var parts []string
			if err := json.Unmarshal(k, &parts); err != nil || len(parts) != 3 {
				return fmt.Errorf("bucket %q is not a product", k)
			}
			out = append(out, imagesync.ProductRef{Platform: parts[0], Store: parts[1], Product: parts[2]})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: listing products: %w", err)
	}
	return out, nil
}
