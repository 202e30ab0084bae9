package navet

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/navet/internal/xsdcheck"
	"github.com/bistand/bistand/personnummer"
)

// randomText returns text of 1–max characters drawn from a mix of
// alphabets and characters that need escaping, as the schema allows it.
func randomText(r *rand.Rand, max int) string {
	alphabet := []rune("abcXYZåäöÅÄÖéüøæ' -&<>\"]]>;:,.0123456789\u00a0ŁŠĐجدиж中文🙂")
	for {
		n := 1 + r.IntN(max)
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		if s := b.String(); validText(s, max) {
			return s
		}
	}
}

func randomNumber(r *rand.Rand) personnummer.Number {
	birth := bistand.MustDate(1900+r.IntN(126), time.Month(1+r.IntN(12)), 1+r.IntN(28))
	return personnummer.Generate(r, birth, r.IntN(5) == 0, r.IntN(2) == 0)
}

// TestRandomPeopleValidate: whatever person EncodeResponse accepts, its
// document validates against the schema and reads back unchanged.
func TestRandomPeopleValidate(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 1))
	statuses := []string{"", CivilStatusUnmarried, CivilStatusMarried, CivilStatusWidowed, CivilStatusDivorced,
		CivilStatusRegisteredPartner, CivilStatusFormerPartner, CivilStatusSurvivingPartner}
	kinds := []string{RelationSpouse, RelationPartner, RelationChild, RelationParent}
	var names []string
	var docs [][]byte
	for i := range 400 {
		n := randomNumber(r)
		p := Person{Number: n, GivenName: randomText(r, 100), FamilyName: randomText(r, 100), BirthDate: n.BirthDate(),
			CivilStatus: statuses[r.IntN(len(statuses))], Deceased: r.IntN(10) == 0,
			Sekretessmarkering: r.IntN(4) == 0, SkyddadFolkbokforing: r.IntN(4) == 0}
		if r.IntN(2) == 0 {
			p.Municipality = fmt.Sprintf("%04d", r.IntN(10000))
		}
		if r.IntN(5) > 0 && !p.Protected() {
			p.Address = &Address{Street: randomText(r, 100), PostalCode: fmt.Sprintf("%03d %02d", r.IntN(1000), r.IntN(100)), City: randomText(r, 100)}
		}
		for range r.IntN(MaxRelations + 1) {
			p.Relations = append(p.Relations, Relation{kinds[r.IntN(len(kinds))], randomNumber(r)})
		}
		caseID := fmt.Sprintf("case-%d/%x", i, r.Uint32())
		b, err := EncodeResponse(caseID, p)
		if err != nil {
			t.Fatalf("person %d: %v", i, err)
		}
		gotCase, got, err := decodeResponse(b)
		if err != nil || gotCase != caseID || !reflect.DeepEqual(got, p) {
			t.Fatalf("person %d does not read back: %v", i, err)
		}
		names, docs = append(names, fmt.Sprintf("random person %d", i)), append(docs, b)
	}
	xsdcheck.Valid(t, names, docs)
}
