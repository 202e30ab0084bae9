package robot

import (
	"sync"
	"time"
)

// Metrics counts what the robot does, for the batch report and monitoring.
// The zero value is ready; a nil *Metrics counts nothing. Safe for
// concurrent use.
type Metrics struct {
	mu sync.Mutex
	s  MetricsSnapshot
}

// MetricsSnapshot is a copy of the counts.
type MetricsSnapshot struct {
	Decided      int                `json:"decided"`       // decided by the robot
	Routed       int                `json:"routed"`        // left for a person, with findings
	RandomChecks int                `json:"random_checks"` // drawn for a stickprov
	Supplements  int                `json:"supplements"`   // komplettering requested of the household
	Reasons      map[string]int     `json:"reasons"`       // applications left for a person, per finding kind
	Outcomes     map[string]int     `json:"outcomes"`      // calculated outcome at the decision step
	StepSeconds  map[string]float64 `json:"step_seconds"`  // time spent in each step, summed over workers
	StepRuns     map[string]int     `json:"step_runs"`
	// LettersFailed counts decisions whose letter the letter step gave up
	// on (the records cannot make it; see Robot.letter).
	LettersFailed int `json:"letters_failed"`
}

func (m *Metrics) update(f func(s *MetricsSnapshot)) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.s.Reasons == nil {
		m.s.Reasons, m.s.Outcomes = map[string]int{}, map[string]int{}
		m.s.StepSeconds, m.s.StepRuns = map[string]float64{}, map[string]int{}
	}
	f(&m.s)
}

func (m *Metrics) step(name string, d time.Duration) {
	m.update(func(s *MetricsSnapshot) { s.StepSeconds[name] += d.Seconds(); s.StepRuns[name]++ })
}

func (m *Metrics) outcome(o string) { m.update(func(s *MetricsSnapshot) { s.Outcomes[o]++ }) }

func (m *Metrics) decided() { m.update(func(s *MetricsSnapshot) { s.Decided++ }) }

func (m *Metrics) randomCheck() { m.update(func(s *MetricsSnapshot) { s.RandomChecks++ }) }

func (m *Metrics) supplement() { m.update(func(s *MetricsSnapshot) { s.Supplements++ }) }

func (m *Metrics) letterFailed() { m.update(func(s *MetricsSnapshot) { s.LettersFailed++ }) }

func (m *Metrics) routed(reasons []string) {
	m.update(func(s *MetricsSnapshot) {
		s.Routed++
		seen := map[string]bool{}
		for _, r := range reasons {
			if !seen[r] {
				seen[r] = true
				s.Reasons[r]++
			}
		}
	})
}

// Snapshot returns a copy of the counts.
func (m *Metrics) Snapshot() MetricsSnapshot {
	var c MetricsSnapshot
	m.update(func(s *MetricsSnapshot) {
		c = *s
		c.Reasons, c.Outcomes = map[string]int{}, map[string]int{}
		c.StepSeconds, c.StepRuns = map[string]float64{}, map[string]int{}
		for k, v := range s.Reasons {
			c.Reasons[k] = v
		}
		for k, v := range s.Outcomes {
			c.Outcomes[k] = v
		}
		for k, v := range s.StepSeconds {
			c.StepSeconds[k] = v
		}
		for k, v := range s.StepRuns {
			c.StepRuns[k] = v
		}
	})
	return c
}
