package shoptet

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shopimg/shopimg"
)

func fixtures(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("..", "internal", "testdata", "shoptet", "*.json"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecodeError: any error body gives an error with a message and
// never panics.
func FuzzDecodeError(f *testing.F) {
	fixtures(f)
	f.Add([]byte(`{"errors":[{}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, m := range []string{http.MethodPost, http.MethodDelete} {
			e := &APIError{StatusCode: 403, Method: m, Path: "/api/products/x/images/shop", Message: "core"}
			decodeError(e, nil, body)
			if e.Message == "" && len(body) > 0 {
				t.Errorf("no message for %q", body)
			}
		}
	})
}

// FuzzListAnswer: any 2xx list body decodes or fails cleanly, and the
// display order keeps every image, the flagged one first.
func FuzzListAnswer(f *testing.F) {
	fixtures(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var b listBody
		if json.Unmarshal(body, &b) != nil {
			return
		}
		if b.CheckBody(&APIError{}) {
			return
		}
		imgs := b.Data.Images
		out := displayOrder(imgs)
		if len(out) != len(imgs) {
			t.Fatalf("display order has %d images, want %d", len(out), len(imgs))
		}
		if i := slices.IndexFunc(imgs, func(img Image) bool { return img.IsMainImage }); i >= 0 && !out[0].IsMainImage {
			t.Errorf("flagged image not first")
		}
	})
}

// FuzzJobAnswer: any job body decodes or fails cleanly.
func FuzzJobAnswer(f *testing.F) {
	fixtures(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var b jobDetailBody
		if json.Unmarshal(body, &b) == nil && !b.CheckBody(&APIError{}) && b.Data.Job.Status == "" {
			t.Error("a job without status passed")
		}
		var u updateBody
		_ = json.Unmarshal(body, &u)
		_ = u.CheckBody(&APIError{})
	})
}

// FuzzBucketFilling: the header parser accepts exactly "<n>/<m>" with
// m > 0, and the rate it reports stays in range.
func FuzzBucketFilling(f *testing.F) {
	for _, s := range []string{"120/200", "200/200", "0/200", " 5 / 10 ", "1/0", "-1/5", "a/b", "", "999999999999/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		cur, limit, ok := ParseBucketFilling(v)
		if !ok {
			return
		}
		if cur < 0 || limit <= 0 {
			t.Errorf("%q: %d/%d accepted", v, cur, limit)
		}
		info, ok := readRate(http.Header{"X-Ratelimit-Bucket-Filling": {v}})
		if !ok || info.Remaining < 0 || info.Remaining > limit || info.Reset < 0 {
			t.Errorf("%q: rate %+v", v, info)
		}
	})
}

// FuzzTime: a timestamp parses or fails, and round-trips.
func FuzzTime(f *testing.F) {
	for _, s := range []string{`"2018-05-29T09:02:27+0200"`, `null`, `""`, `"2018-05-29T09:02:27Z"`, `"x"`, `5`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var tm Time
		if json.Unmarshal([]byte(s), &tm) != nil {
			return
		}
		b, err := json.Marshal(tm)
		if err != nil {
			t.Fatal(err)
		}
		var back Time
		if err := json.Unmarshal(b, &back); err != nil || !back.Equal(tm.Time) {
			t.Errorf("%s -> %s -> %v (%v)", s, b, back, err)
		}
	})
}

// FuzzTokenLifetime: any expires_in gives a positive lifetime.
func FuzzTokenLifetime(f *testing.F) {
	for _, s := range []string{`1800`, `"600"`, `null`, `-5`, `1e400`, `"abc"`, `0.5`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := tokenAnswer{ExpiresIn: json.RawMessage(s)}
		if d := a.lifetime(); d <= 0 {
			t.Errorf("%s: lifetime %v", s, d)
		}
	})
}

// FuzzPlan: for any gallery (priorities null, tied, spaced or packed) and
// any target order, the priorities plan returns, applied, put the images
// in the target order with distinct priorities in 1..MaxPriority, the
// first strictly lowest; and with spaced distinct priorities it writes no
// more images than the reorder moves.
func FuzzPlan(f *testing.F) {
	f.Add(uint64(1), uint8(5), uint8(0))
	f.Add(uint64(7), uint8(40), uint8(1))
	f.Add(uint64(9), uint8(120), uint8(2))
	f.Fuzz(func(t *testing.T, seed uint64, n uint8, mode uint8) {
		rng := rand.New(rand.NewPCG(seed, 99))
		cur := make([]Image, int(n)%150)
		for i := range cur {
			cur[i].Name = ImageName(strings.Repeat("x", i%3) + string(rune('a'+i%26)) + json.Number(string(rune('0'+i/26))).String())
			switch mode % 3 {
			case 0:
				cur[i].Priority = new((i + 1) * 100)
			case 1:
				if rng.IntN(3) > 0 {
					cur[i].Priority = new(1 + rng.IntN(4))
				}
			default:
				cur[i].Priority = new(i + 1)
			}
		}
		cur = displayOrder(cur)
		target := make([]string, len(cur))
		for i, j := range rng.Perm(len(cur)) {
			target[i] = string(cur[j].Name)
		}
		p := plan(cur, target)
		got := map[ImageName]int{}
		for _, img := range cur {
			got[img.Name] = priorityOf(img)
		}
		for name, pr := range p {
			got[name] = pr
		}
		last := 0
		for _, id := range target {
			pr := got[ImageName(id)]
			if pr <= last || pr > MaxPriority {
				t.Fatalf("priorities along the target: %d after %d (mode %d, n %d)", pr, last, mode%3, len(cur))
			}
			last = pr
		}
		if mode%3 == 0 {
			ids := make([]string, len(cur))
			for i, img := range cur {
				ids[i] = string(img.Name)
			}
			if moves := (shopimg.Capabilities{Reorder: true, BatchReorder: true}).ReorderWrites(ids, target); len(p) > len(moves) {
				t.Errorf("wrote %d images for %d moves", len(p), len(moves))
			}
		}
	})
}
