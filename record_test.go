package bistand

import (
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Ids carry no digits at all, so no run of them can look like a
// personnummer, and they sort by creation time.
func TestNewIDHasNoDigitsAndSortsByTime(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ms := rapid.Int64Range(0, 1<<47).Draw(t, "ms")
		later := ms + rapid.Int64Range(1, 1<<30).Draw(t, "later")
		a := NewID("app", time.UnixMilli(ms))
		b := NewID("app", time.UnixMilli(later))
		for _, id := range []string{a, b} {
			if len(id) != len("app-")+28 {
				t.Fatalf("%q: length %d", id, len(id))
			}
			if strings.ContainsAny(id, "0123456789") {
				t.Fatalf("%q holds a digit", id)
			}
		}
		if a >= b {
			t.Fatalf("%q made before %q sorts after it", a, b)
		}
	})
}

func TestNewIDWithinOneMillisecondSorts(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	prev := NewID("dec", now)
	for range 1000 {
		id := NewID("dec", now)
		if id <= prev {
			t.Fatalf("%q after %q", id, prev)
		}
		prev = id
	}
}
