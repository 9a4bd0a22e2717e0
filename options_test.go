package shopimg_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
)

func TestSystemClock(t *testing.T) {
	t.Parallel()
	var c shopimg.Clock = shopimg.SystemClock{}
	before := time.Now()
	if now := c.Now(); now.Before(before) || now.Sub(before) > time.Minute {
		t.Errorf("Now = %v, want about %v", now, before)
	}
	ctx := context.Background()
	if err := c.Sleep(ctx, 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	if err := c.Sleep(ctx, -time.Second); err != nil {
		t.Errorf("Sleep(-1s) = %v", err)
	}
	if err := c.Sleep(ctx, time.Nanosecond); err != nil {
		t.Errorf("Sleep(1ns) = %v", err)
	}
	// An ended context ends a long sleep at once (the test would time out
	// otherwise).
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.Sleep(cancelled, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(1h) with a cancelled context = %v, want context.Canceled", err)
	}
	if err := c.Sleep(cancelled, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(0) with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestBatchUpdateIsZero(t *testing.T) {
	t.Parallel()
	if !(shopimg.BatchUpdate{}).IsZero() || !(shopimg.BatchUpdate{Alt: map[string]string{}}).IsZero() {
		t.Error("an empty BatchUpdate is not zero")
	}
	if (shopimg.BatchUpdate{Order: []string{}}).IsZero() || (shopimg.BatchUpdate{Alt: map[string]string{"1": ""}}).IsZero() {
		t.Error("a BatchUpdate with an Order or an Alt is zero")
	}
}
