// Package navet looks people up in the population register: their
// personnummer or samordningsnummer, name, birth date, registered address
// and municipality, civil status, relations (spouse, partner, children,
// parents) and protected-identity markings (sekretessmarkering, skyddad
// folkbokföring).
//
// The wire format is bistand's own contract, "urn:bistand:navet:1" (XML over
// HTTP POST, schema in schema/navet-1.xsd, described in docs/navet.md),
// modelled on what Skatteverket's Navet delivers. It is not Navet's own
// interface: that needs an agreement bistand does not have. Code that needs
// register data depends on the [Lookuper] interface; [Client] implements it
// for the contract, and an adapter to the real Navet would implement it too.
//
// # Privacy
//
// A person with either protection marking ([Person.Protected]) never has an
// address: the contract forbids one on the wire (the schema makes address
// and protection alternatives), and the client drops any address it
// receives for a protected person all the same. Their case must be handled
// by a person, and nothing about where they live may be shown, printed or
// exported.
//
// Nothing in this package logs. No error it returns contains a personnummer
// or any text taken from a response.
package navet

import (
	"context"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
)

// Person is what the register holds about one person.
type Person struct {
	// Number is the person's personnummer or samordningsnummer
	// (Number.IsCoordination tells which).
	Number     personnummer.Number
	GivenName  string
	FamilyName string
	BirthDate  bistand.Date
	// Address is the registered address; nil when the register gives none,
	// and always nil for a protected person: it is never carried in clear.
	Address *Address
	// Municipality is the municipality of registration as a four-digit
	// kommunkod, "" for a person who is not folkbokförd (a samordningsnummer).
	Municipality string
	// CivilStatus is one of the CivilStatus constants, "" when unknown.
	CivilStatus string
	// Relations are the people the register relates to this one, by number.
	Relations []Relation
	// The protected-identity markings.
	Sekretessmarkering   bool
	SkyddadFolkbokforing bool
	Deceased             bool
}

// Protected reports whether the person has either protected-identity
// marking: sekretessmarkering or skyddad folkbokföring. Such a person's
// address must never be shown, printed or exported, and their case is
// handled by a person.
func (p Person) Protected() bool { return p.Sekretessmarkering || p.SkyddadFolkbokforing }

// Address is a registered address (folkbokföringsadress).
type Address struct {
	Street     string
	PostalCode string // "NNN NN"
	City       string
}

// Relation is another person the register relates to this one.
type Relation struct {
	Kind   string // one of the Relation constants
	Number personnummer.Number
}

// Relation kinds: what the related person is to the person looked up.
const (
	RelationSpouse  = "spouse"  // make/maka
	RelationPartner = "partner" // registrerad partner, or a cohabitant (sambo) where the source records one
	RelationChild   = "child"   // the related person is a child of this person
	RelationParent  = "parent"  // the related person is a parent (or vårdnadshavare) of this person
)

// Civil status codes (civilstånd) as Skatteverket writes them.
const (
	CivilStatusUnmarried         = "OG" // ogift
	CivilStatusMarried           = "G"  // gift
	CivilStatusWidowed           = "Ä"  // änka/änkling
	CivilStatusDivorced          = "S"  // skild
	CivilStatusRegisteredPartner = "RP" // registrerad partner
	CivilStatusFormerPartner     = "SP" // skild partner
	CivilStatusSurvivingPartner  = "EP" // efterlevande partner
)

// Lookuper is the population register as the rest of bistand sees it.
// Client implements it for bistand's contract; an adapter to the real Navet
// implements it the same way: returning *Error values with the same codes
// (ErrNotFound, IsRetryable) and never an address for a protected person.
type Lookuper interface {
	// Lookup returns the person with number, for the case caseID.
	Lookup(ctx context.Context, number personnummer.Number, caseID string) (*Person, error)
}

var _ Lookuper = (*Client)(nil)
