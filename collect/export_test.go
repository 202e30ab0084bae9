package collect

import (
	"time"

	"github.com/bistand/bistand/sqlstore"
)

// InformationFactsForTest returns the facts of an SSBTEK answer in which
// every source tells something about person (see answerOf).
func InformationFactsForTest(person string, observed time.Time) []sqlstore.FactInput {
	return informationFacts(person, answerOf(), nil, observed)
}
