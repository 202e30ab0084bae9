package ssbtek

import (
	"context"
	"testing"

	"github.com/bistand/bistand/population"
	"github.com/bistand/bistand/ssbtek/internal/contracttest"
	"github.com/bistand/bistand/ssbtek/sim"
)

// The package logs nothing: no logging import, no console output, and no
// log line during calls that succeed, fail per source and fail as a whole.
func TestNoLogging(t *testing.T) {
	contracttest.NoLogging(t, ".")
	logs := contracttest.CaptureLogs(t)
	for _, opt := range []sim.Options{{}, {SourceFailureRate: 1000}, {FailureRate: 1000}} {
		c, _ := startSim(t, opt)
		for _, src := range Sources {
			h, j := find(t, "failing "+string(src), func(h population.Household, j int, m population.Person) bool {
				return h.FailsSource == population.Source(src)
			})
			c.Fetch(context.Background(), request(h.Members[j].Number))
		}
		c.Fetch(context.Background(), Request{})
		c.Test(context.Background())
	}
	if logs.Len() != 0 {
		t.Errorf("logged:\n%s", logs)
	}
}
