package boltstore_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.etcd.io/bbolt"

	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/imagesync/boltstore"
)

// damageEnv, when set in the environment, makes TestDamagedFile the child
// process that opens the damaged copies of the pristine file it names.
const damageEnv = "BOLTSTORE_DAMAGE_CHILD"

// Raise -damage.runs, or change -damage.seed, to hunt:
//
//	go test ./imagesync/boltstore -run Damaged -args -damage.runs 20000
var (
	damageRuns = flag.Int("damage.runs", 600/raceScale, "damaged copies TestDamagedFile opens")
	damageSeed = flag.Uint64("damage.seed", 1, "seed of TestDamagedFile's byte flips (case i uses the stream (seed, i))")
)

// damagedProducts is the state the pristine file holds: one product large
// enough to span several pages (and a branch page), and small ones with
// mappings and pending intents.
func damagedProducts() map[imagesync.ProductRef]imagesync.State {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	out := map[imagesync.ProductRef]imagesync.State{}
	big := imagesync.ProductRef{Platform: "bigcommerce", Store: "abc", Product: "1"}
	var st imagesync.State
	for i := range 200 {
		st.Mappings = append(st.Mappings, imagesync.Mapping{Key: fmt.Sprintf("asset-%04d", i), ImageID: strconv.Itoa(1000 + i), Created: i%3 != 0})
	}
	out[big] = st
	for p := range 12 {
		ref := imagesync.ProductRef{Platform: "threedcart", Store: "shop.example", Product: strconv.Itoa(100 + p)}
		var st imagesync.State
		for i := range p % 5 {
			st.Mappings = append(st.Mappings, imagesync.Mapping{Key: fmt.Sprintf("k%d", i), ImageID: strconv.Itoa(i + 1)})
		}
		if p%3 == 0 {
			st.Intents = append(st.Intents, imagesync.Intent{Key: "new", Before: []string{"1", "2"}, SourceURL: "https://pim.example.com/new.jpg", Alt: "New", At: at})
		}
		if len(st.Mappings) > 0 || len(st.Intents) > 0 {
			out[ref] = st
		}
	}
	return out
}

// writePristine writes the state of damagedProducts to a new file.
func writePristine(t *testing.T, path string) {
	t.Helper()
	s, err := boltstore.Open(path, &bbolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for ref, st := range damagedProducts() {
		c := imagesync.Change{Put: st.Mappings}
		for _, in := range st.Intents {
			c.Begin = &in
		}
		if err := s.Save(context.Background(), ref, c); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDamagedFile flips 1 to 8 random bytes of a state file, in many runs
// with a fixed seed, and opens each damaged copy in a child process (so a
// crash fails the test instead of killing it). Every run must either
// refuse the file, with an error that names it, or load exactly the state
// that was saved, and keep working: no crash, no panic, no state quietly
// missing a mapping or an intent.
func TestDamagedFile(t *testing.T) {
	if pristine := os.Getenv(damageEnv); pristine != "" {
		damageChild(pristine)
		return
	}
	t.Parallel()
	dir := t.TempDir()
	pristine := filepath.Join(dir, "pristine.db")
	writePristine(t, pristine)
	outcomes := map[string]int{}
	for start := 0; start < *damageRuns; {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDamagedFile$", fmt.Sprint("-damage.runs=", *damageRuns), fmt.Sprint("-damage.seed=", *damageSeed))
		cmd.Env = append(os.Environ(), damageEnv+"="+pristine, "BOLTSTORE_DAMAGE_START="+strconv.Itoa(start))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, runErr := cmd.Output()
		last := start - 1
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			var i int
			var outcome string
			if _, err := fmt.Sscanf(sc.Text(), "case %d %s", &i, &outcome); err != nil {
				continue
			}
			last = i
			outcomes[outcome]++
			if outcome == "wrong" {
				t.Errorf("case %d: %s", i, strings.SplitN(sc.Text(), " ", 4)[3])
			}
		}
		if runErr == nil {
			break
		}
		// The child died in case last+1 (it reports each case once done).
		outcomes["crashed"]++
		t.Errorf("case %d: the process died (%v):\n%s", last+1, runErr, tail(stderr.String(), 15))
		start = last + 2
	}
	t.Logf("%d damaged copies: %v", *damageRuns, outcomes)
	if outcomes["intact"] == 0 || outcomes["refused"] == 0 {
		t.Errorf("outcomes %v: want both intact and refused copies, or the damage proves nothing", outcomes)
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// damageChild runs the cases from BOLTSTORE_DAMAGE_START on, printing
// "case N intact|refused|wrong [why]" as each one ends.
func damageChild(pristine string) {
	start, _ := strconv.Atoi(os.Getenv("BOLTSTORE_DAMAGE_START"))
	data, err := os.ReadFile(pristine)
	if err != nil {
		panic(err)
	}
	used := usedSize(pristine)
	path := filepath.Join(filepath.Dir(pristine), "damaged.db")
	for i := start; i < *damageRuns; i++ {
		rng := rand.New(rand.NewPCG(*damageSeed, uint64(i)))
		damaged := bytes.Clone(data)
		for range 1 + rng.IntN(8) {
			damaged[rng.IntN(used)] ^= byte(1 + rng.IntN(255))
		}
		if err := os.WriteFile(path, damaged, 0o600); err != nil {
			panic(err)
		}
		outcome, why := openDamaged(path)
		fmt.Printf("case %d %s %s\n", i, outcome, why)
	}
}

// usedSize returns the size of the pages of the file at path that bbolt
// uses (those below its high-water mark); the rest of the file is spare
// room, where damage changes nothing.
func usedSize(path string) int {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	var size int64
	if err := db.View(func(tx *bbolt.Tx) error { size = tx.Size(); return nil }); err != nil {
		panic(err)
	}
	return int(size)
}

// sameState reports whether got is want; its mappings must come sorted by
// key, like want's. (cmp.Diff says how they differ; this is the cheap
// check run on every copy.)
func sameState(want, got imagesync.State) bool {
	return slices.Equal(want.Mappings, got.Mappings) && slices.EqualFunc(want.Intents, got.Intents, func(a, b imagesync.Intent) bool {
		return a.Key == b.Key && slices.Equal(a.Before, b.Before) && a.SourceURL == b.SourceURL && a.FileName == b.FileName && a.Alt == b.Alt && a.At.Equal(b.At)
	})
}

// openDamaged opens a damaged copy, loads every product, saves a change and
// loads again; it says whether the file was refused, read intact, or read
// wrong.
func openDamaged(path string) (outcome, why string) {
	ctx := context.Background()
	refusal := func(err error) (string, string) {
		if !errors.Is(err, boltstore.ErrDamaged) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "restore it from a backup") {
			return "wrong", fmt.Sprintf("the error does not match ErrDamaged, name the file and say what to do: %v", err)
		}
		return "refused", ""
	}
	s, err := boltstore.Open(path, &bbolt.Options{NoSync: true})
	if err != nil {
		return refusal(err)
	}
	defer s.Close()
	opts := cmp.Options{cmpopts.EquateEmpty(), cmpopts.SortSlices(func(a, b imagesync.Mapping) bool { return a.Key < b.Key })}
	want := damagedProducts()
	refs, err := s.Products()
	if err != nil {
		return refusal(err)
	}
	if len(refs) != len(want) {
		return "wrong", fmt.Sprintf("%d products, want %d", len(refs), len(want))
	}
	for ref, st := range want {
		got, err := s.Load(ctx, ref)
		if err != nil {
			return refusal(err)
		}
		if !sameState(st, got) {
			return "wrong", fmt.Sprintf("%v loaded without error but differs (-saved +loaded): %s", ref, strings.ReplaceAll(cmp.Diff(st, got, opts), "\n", " "))
		}
		c := imagesync.Change{Put: []imagesync.Mapping{{Key: "added", ImageID: "9"}}}
		if err := s.Save(ctx, ref, c); err != nil {
			return refusal(err)
		}
		got, err = s.Load(ctx, ref)
		if err != nil {
			return refusal(err)
		}
		if want := imagesync.ApplyChange(st, c); !sameState(want, got) {
			return "wrong", fmt.Sprintf("%v after a save (-want +loaded): %s", ref, strings.ReplaceAll(cmp.Diff(want, got, opts), "\n", " "))
		}
	}
	return "intact", ""
}
