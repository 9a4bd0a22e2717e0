package rest

import (
	"context"
	"fmt"
	"iter"
)

// PageFunc fetches the page at cursor and returns its items, the next cursor
// and whether there is a next page.
type PageFunc[T any, C comparable] func(ctx context.Context, cursor C) (items []T, next C, more bool, err error)

// Pages returns an iterator over every item of every page, starting at first.
// Nothing is fetched until the iterator is used. It stops after the last page,
// when yield returns false, or at the first error, which it yields once (with
// the zero T). A cursor seen before ends it with an error instead of looping.
func Pages[T any, C comparable](ctx context.Context, first C, fetch PageFunc[T, C]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		seen := map[C]bool{}
		cursor := first
		for {
			if seen[cursor] {
				yield(zero, fmt.Errorf("paging: cursor %v repeated", cursor))
				return
			}
			seen[cursor] = true
			items, next, more, err := fetch(ctx, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if !more {
				return
			}
			cursor = next
		}
	}
}
