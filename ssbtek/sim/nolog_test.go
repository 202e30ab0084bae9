package sim

import (
	"testing"

	"github.com/bistand/bistand/ssbtek/internal/contracttest"
)

func TestNoLogging(t *testing.T) {
	contracttest.NoLogging(t, ".")
	logs := contracttest.CaptureLogs(t)
	for _, opt := range []Options{{}, {SourceFailureRate: 1000}, {FailureRate: 1000}} {
		h := newSim(opt)
		for _, pnr := range people(t) {
			post(h, defaults(pnr).xml())
		}
		post(h, "not soap")
	}
	if logs.Len() != 0 {
		t.Errorf("logged:\n%s", logs)
	}
}
