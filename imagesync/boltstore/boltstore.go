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
// # Damage
//
// A state file that lost or changed a record would make imagesync add
// images again, so the Store checks what it reads and refuses a damaged
// file instead of passing on a partial state. Open checks the whole file:
// the structure of its pages (both meta pages valid, every page in the
// file and referenced once, every key and value inside its page), then
// bbolt's own consistency check (bbolt.Tx.Check), then every record's
// checksum, every product's digest and the file's digest, which together
// detect a record or a product that vanished. Load and Save check the
// product's records and digest again. On any damage they return an error
// matching ErrDamaged that names the file and says what to do; imagesync
// then fails the sync of the product (Open: of every product) rather than
// treat the state as empty. A file one of whose two meta pages is damaged
// is refused too: bbolt would fall back to the previous transaction and
// quietly lose the last Save.
//
// # Layout
//
// For tools that read the file: a top bucket "imagesync/v2" holds the
// file's digest under the key "sum" and a bucket per product, named by the
// JSON array [platform, store, product]. A product bucket holds its digest
// under "sum", a bucket "mappings" (key -> a flags byte, 1 for Created,
// then the image ID) and a bucket "intents" (8-byte big-endian sequence
// number -> JSON imagesync.Intent), so intents come back in the order they
// were begun.
//
// Every value is a record: a version byte (2), a big-endian CRC-32C
// (Castagnoli), then the payload. The CRC covers four parts, each preceded
// by its length as a uvarint: the product bucket's name (empty for the
// file's digest), the name of the bucket holding the record ("mappings" or
// "intents"; empty for a digest), the key, and the payload. A product's
// digest (32 bytes) is the SHA-256 of its records, mappings first, each
// bucket in key order, each record as three parts preceded by their
// lengths: the bucket's name, the key and the whole value. The file's
// digest is the XOR, over its products, of the SHA-256 of the parts name,
// digest and an empty one, encoded the same way.
//
// Files written by earlier versions (a top bucket "imagesync/v1" of JSON
// values without checksums) are converted when opened for writing, in one
// transaction, after the checks of the pages and bbolt's; opened read-only,
// they are refused until opened once for writing. That layout had no
// checksums, so damage that left its values well-formed cannot be found
// when it is converted.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/shopimg/shopimg/imagesync"
)

// ErrDamaged is matched (errors.Is) by the error of Open, Load, Save and
// Products when the state file is damaged. Do not sync with such a file:
// restore it from a backup, or move it aside and start with a new one.
var ErrDamaged = errors.New("boltstore: the state file is damaged")

// damageError is the error of a damaged state file.
type damageError struct {
	path string
	what string
	err  error
}

func (e *damageError) Error() string {
	return fmt.Sprintf("boltstore: state file %s is damaged (%s: %v); do not sync with it: restore it from a backup, "+
		"or move it aside and start with a new file (a sync then adds again the images the old file recorded, "+
		"unless imagesync.Policy.AdoptExisting adopts them by their URL)", e.path, e.what, e.err)
}

func (e *damageError) Is(target error) bool { return target == ErrDamaged }

func (e *damageError) Unwrap() error { return e.err }

// Store is an imagesync.Store in a bbolt file. It is safe for concurrent use.
type Store struct {
	db *bbolt.DB
}

var _ imagesync.Store = (*Store)(nil)

// Open opens (creating it if needed) the store in the file at path, and
// checks the whole file (see the package documentation): a damaged file
// gives an error matching ErrDamaged. opts are passed to bbolt.Open, except
// PreLoadFreelist (the freelist is read once it is checked); nil means a
// 1-second timeout for the file lock, so a second process fails instead of
// waiting forever.
func Open(path string, opts *bbolt.Options) (*Store, error) {
	o := bbolt.Options{Timeout: time.Second}
	if opts != nil {
		o = *opts
	}
	o.PreLoadFreelist = false
	checked := noTx
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 && !o.ReadOnly {
		// bbolt opened for writing reads the freelist through unchecked
		// pointers at once: check the file opened read-only first (a
		// shared lock; only the meta pages are read).
		ro := o
		ro.ReadOnly = true
		db, err := openBolt(path, &ro)
		if err != nil {
			return nil, err
		}
		checked, err = (&Store{db: db}).checkFile()
		db.Close()
		if err != nil {
			return nil, err
		}
	}
	db, err := openBolt(path, &o)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db}
	if err := s.prepare(checked); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// noTx is no transaction ID.
const noTx = ^uint64(0)

// openBolt opens the bbolt file; an error saying that bbolt cannot read
// its meta pages matches ErrDamaged.
func openBolt(path string, o *bbolt.Options) (*bbolt.DB, error) {
	db, err := bbolt.Open(path, 0o600, o)
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) || errors.Is(err, berrors.ErrVersionMismatch):
		return nil, &damageError{path: path, what: "bbolt cannot open it", err: err}
	}
	return nil, fmt.Errorf("boltstore: opening %s: %w", path, err)
}

// damaged is the error of damage found in the store's file.
func (s *Store) damaged(what string, err error) error {
	return &damageError{path: s.db.Path(), what: what, err: err}
}

// prepare makes the file ready for use: it checks the pages and runs
// bbolt's check (unless the file was checked at transaction checked),
// creates or converts the layout, and checks every record.
func (s *Store) prepare(checked uint64) error {
	if txid, err := s.txid(); err != nil || txid != checked {
		if _, err := s.checkFile(); err != nil {
			return err
		}
	}
	if !s.db.IsReadOnly() {
		if err := s.db.Update(s.initLayout); err != nil {
			return s.wrap("initialising", err)
		}
	}
	return s.db.View(func(tx *bbolt.Tx) error {
		root := tx.Bucket(rootBucket)
		switch {
		case root != nil:
		case tx.Bucket(v1Bucket) != nil:
			return fmt.Errorf("boltstore: %s was written by an earlier version: open it once for writing to convert it", s.db.Path())
		case !emptyFile(tx):
			return s.damaged("layout", fmt.Errorf("bucket %s is missing", rootBucket))
		default:
			return nil
		}
		if err := checkAll(root); err != nil {
			return s.damaged("records", err)
		}
		return nil
	})
}

// txid returns the ID of the file's last transaction.
func (s *Store) txid() (uint64, error) {
	var txid uint64
	err := s.db.View(func(tx *bbolt.Tx) error { txid = uint64(tx.ID()); return nil })
	return txid, err
}

// checkFile checks the structure of the file's pages, then runs bbolt's
// consistency check, and returns the transaction it checked.
func (s *Store) checkFile() (uint64, error) {
	txid, err := s.txid()
	if err != nil {
		return noTx, s.wrap("reading", err)
	}
	data, err := os.ReadFile(s.db.Path())
	if err != nil {
		return noTx, s.wrap("reading", err)
	}
	if err := checkPages(data, s.db.Info().PageSize, txid); err != nil {
		return noTx, s.damaged("pages", err)
	}
	return txid, s.db.View(func(tx *bbolt.Tx) error {
		var errs []error
		for err := range tx.Check() { // read to the end: the check runs on its own goroutine
			if len(errs) < 3 {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return s.damaged("bbolt's check", errors.Join(errs...))
		}
		return nil
	})
}

// initLayout creates the layout in a new file, or converts the earlier
// one.
func (s *Store) initLayout(tx *bbolt.Tx) error {
	old := tx.Bucket(v1Bucket)
	switch {
	case tx.Bucket(rootBucket) != nil && old != nil:
		return s.damaged("layout", fmt.Errorf("it holds both %s and %s", rootBucket, v1Bucket))
	case tx.Bucket(rootBucket) != nil:
		return nil
	case old == nil && !emptyFile(tx):
		return s.damaged("layout", fmt.Errorf("bucket %s is missing", rootBucket))
	}
	root, err := tx.CreateBucket(rootBucket)
	if err != nil {
		return err
	}
	if old == nil {
		return putFileDigest(root, digest{})
	}
	if err := migrateV1(tx, root); err != nil {
		return s.damaged("converting the earlier layout", err)
	}
	return nil
}

// emptyFile reports whether the file holds nothing at all.
func emptyFile(tx *bbolt.Tx) bool {
	k, _ := tx.Cursor().First()
	return k == nil
}

// wrap wraps a bbolt error of doing what with the file; damage errors
// pass unchanged.
func (s *Store) wrap(what string, err error) error {
	if errors.Is(err, ErrDamaged) {
		return err
	}
	return fmt.Errorf("boltstore: %s %s: %w", what, s.db.Path(), err)
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the underlying database, for backups (bbolt.Tx.WriteTo) and
// inspection. Do not write to it: the checksums would then report the file
// as damaged.
func (s *Store) DB() *bbolt.DB { return s.db }

// Load returns the product's state, after checking its records; damage
// gives an error matching ErrDamaged.
func (s *Store) Load(ctx context.Context, ref imagesync.ProductRef) (imagesync.State, error) {
	if err := ctx.Err(); err != nil {
		return imagesync.State{}, err
	}
	var st imagesync.State
	err := s.db.View(func(tx *bbolt.Tx) error {
		name := productName(ref)
		p := bucket(tx, name)
		if p == nil {
			return nil
		}
		var err error
		if st, _, err = readProduct(p, name); err != nil {
			return s.damaged("product "+ref.String(), err)
		}
		return nil
	})
	if err != nil {
		return imagesync.State{}, s.wrap("loading "+ref.String()+" from", err)
	}
	return st, nil
}

// bucket returns the product bucket name, or nil.
func bucket(tx *bbolt.Tx, name []byte) *bbolt.Bucket {
	if root := tx.Bucket(rootBucket); root != nil {
		return root.Bucket(name)
	}
	return nil
}

// Save applies c to the product's state in one transaction, after checking
// the product's records; damage gives an error matching ErrDamaged.
func (s *Store) Save(ctx context.Context, ref imagesync.ProductRef, c imagesync.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.IsZero() {
		return nil
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		root, name := tx.Bucket(rootBucket), productName(ref)
		all, err := fileDigest(root)
		if err != nil {
			return s.damaged("the file's digest", err)
		}
		var st imagesync.State
		if p := root.Bucket(name); p != nil {
			var old digest
			if st, old, err = readProduct(p, name); err != nil {
				return s.damaged("product "+ref.String(), err)
			}
			all.xor(fileTerm(name, old))
		}
		d, ok, err := writeProduct(root, name, imagesync.ApplyChange(st, c))
		if err != nil {
			return err
		}
		if ok {
			all.xor(fileTerm(name, d))
		}
		return putFileDigest(root, all)
	})
	if err != nil {
		return s.wrap("saving "+ref.String()+" to", err)
	}
	return nil
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
			ref, err := productRef(k)
			if err != nil {
				return s.damaged("products", err)
			}
			out = append(out, ref)
			return nil
		})
	})
	if err != nil {
		return nil, s.wrap("listing the products of", err)
	}
	return out, nil
}
