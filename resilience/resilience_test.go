package resilience

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

var errTemp = errors.New("temporary")
var errPerm = errors.New("permanent")

func isTemp(err error) bool { return errors.Is(err, errTemp) }

func TestRetry(t *testing.T) {
	b := Backoff{Attempts: 4, Initial: time.Millisecond, Max: 4 * time.Millisecond}
	calls := 0
	err := Retry(context.Background(), b, isTemp, func(context.Context) error {
		calls++
		if calls < 3 {
			return errTemp
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("succeeded on the third: err %v calls %d", err, calls)
	}
	calls = 0
	err = Retry(context.Background(), b, isTemp, func(context.Context) error { calls++; return errTemp })
	if !errors.Is(err, errTemp) || calls != 4 {
		t.Errorf("always failing: err %v calls %d", err, calls)
	}
	calls = 0
	err = Retry(context.Background(), b, isTemp, func(context.Context) error { calls++; return errPerm })
	if !errors.Is(err, errPerm) || calls != 1 {
		t.Errorf("permanent: err %v calls %d", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	err = Retry(ctx, Backoff{Attempts: 5, Initial: time.Hour}, isTemp, func(context.Context) error { calls++; cancel(); return errTemp })
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("cancelled: err %v calls %d", err, calls)
	}
}

func TestDelay(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		if d := b.Delay(i+1, nil); d != w*time.Millisecond {
			t.Errorf("delay %d = %v, want %v", i+1, d, w*time.Millisecond)
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	for range 1000 {
		d := b.Delay(3, r)
		if d < 300*time.Millisecond || d > 500*time.Millisecond {
			t.Fatalf("jittered delay %v outside 400 ms ± 25 %%", d)
		}
	}
}

func TestBreaker(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	b := &Breaker{Threshold: 3, Cooldown: time.Minute, Now: func() time.Time { return now }}
	for i := range 3 {
		if !b.Allow() {
			t.Fatalf("refused call %d before the threshold", i)
		}
		b.Record(errTemp)
	}
	if b.Allow() || !b.Open() {
		t.Fatal("not open after three failures")
	}
	now = now.Add(61 * time.Second)
	if !b.Allow() {
		t.Fatal("no probe after the cooldown")
	}
	if b.Allow() {
		t.Fatal("a second call while probing")
	}
	b.Record(errTemp) // the probe fails: open again
	if b.Allow() {
		t.Fatal("closed after a failed probe")
	}
	now = now.Add(61 * time.Second)
	if !b.Allow() {
		t.Fatal("no probe")
	}
	b.Record(nil)
	if !b.Allow() || b.Open() {
		t.Fatal("not closed after a good probe")
	}
	b.Record(errTemp)
	b.Record(nil)
	b.Record(errTemp)
	b.Record(errTemp)
	if !b.Allow() {
		t.Fatal("a success must reset the count")
	}
	var bs Breakers
	if bs.For("FK") != bs.For("FK") || bs.For("FK") == bs.For("CSN") {
		t.Error("one breaker per key")
	}
}
