// Package resilience has the small tools register calls need: retries with
// exponential backoff and jitter, and a circuit breaker per source.
package resilience

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Backoff says how to retry.
type Backoff struct {
	Attempts int           // in all, including the first; default 3
	Initial  time.Duration // wait before the second attempt; default 200 ms
	Max      time.Duration // longest wait; default 5 s
}

func (b Backoff) withDefaults() Backoff {
	if b.Attempts <= 0 {
		b.Attempts = 3
	}
	if b.Initial <= 0 {
		b.Initial = 200 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 5 * time.Second
	}
	return b
}

// Delay is the wait before attempt n (n ≥ 1 is the first retry): Initial ×
// 2^(n−1), at most Max, with ±25 % jitter so that many callers do not retry
// in step.
func (b Backoff) Delay(n int, r *rand.Rand) time.Duration {
	b = b.withDefaults()
	d := b.Initial
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	if r != nil {
		jitter := time.Duration(r.Int64N(int64(d)/2+1)) - d/4
		d += jitter
	}
	return d
}

// Retry calls fn until it succeeds, returns an error retryable rejects, or
// the attempts run out; it waits between attempts and stops when ctx ends.
// It returns the last error.
func Retry(ctx context.Context, b Backoff, retryable func(error) bool, fn func(context.Context) error) error {
	b = b.withDefaults()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	var err error
	for n := 0; n < b.Attempts; n++ {
		if n > 0 {
			t := time.NewTimer(b.Delay(n, r))
			select {
			case <-ctx.Done():
				t.Stop()
				return errors.Join(err, ctx.Err())
			case <-t.C:
			}
		}
		if err = fn(ctx); err == nil || !retryable(err) {
			return err
		}
	}
	return err
}

// ErrOpen is returned for a call a circuit breaker refuses.
var ErrOpen = errors.New("circuit open: the source failed repeatedly and is rested")

// Breaker opens after Threshold consecutive failures and refuses calls for
// Cooldown; then it lets one call through (half open) and closes on success.
type Breaker struct {
	Threshold int           // default 5
	Cooldown  time.Duration // default 30 s
	Now       func() time.Time

	mu        sync.Mutex
	failures  int
	openUntil time.Time
	probing   bool
}

func (b *Breaker) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// Allow reports whether a call may go ahead now.
func (b *Breaker) Allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.openUntil.IsZero() {
		return true
	}
	if b.now().Before(b.openUntil) || b.probing {
		return false
	}
	b.probing = true // half open: one call tries
	return true
}

// Record notes a call's outcome.
func (b *Breaker) Record(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	threshold, cooldown := b.Threshold, b.Cooldown
	if threshold <= 0 {
		threshold = 5
	}
	if cooldown <= 0 {
		cooldown = 30 * time.Second
	}
	b.probing = false
	if err == nil {
		b.failures, b.openUntil = 0, time.Time{}
		return
	}
	b.failures++
	if b.failures >= threshold {
		b.openUntil = b.now().Add(cooldown)
	}
}

// Open reports whether the breaker is refusing calls.
func (b *Breaker) Open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.openUntil.IsZero() && b.now().Before(b.openUntil)
}

// Breakers keeps one breaker per key (a source).
type Breakers struct {
	Threshold int
	Cooldown  time.Duration
	Now       func() time.Time

	mu sync.Mutex
	m  map[string]*Breaker
}

// Keys returns the keys (sources) that have a breaker, sorted.
func (bs *Breakers) Keys() []string {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	out := make([]string, 0, len(bs.m))
	for k := range bs.m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// For returns the breaker of key.
func (bs *Breakers) For(key string) *Breaker {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.m == nil {
		bs.m = map[string]*Breaker{}
	}
	b := bs.m[key]
	if b == nil {
		b = &Breaker{Threshold: bs.Threshold, Cooldown: bs.Cooldown, Now: bs.Now}
		bs.m[key] = b
	}
	return b
}
