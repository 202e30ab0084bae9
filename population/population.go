// Package population is a deterministic synthetic population: households of
// every shape with invented people (generated personnummer, invented names
// and addresses), the payments registers would hold for them month by month,
// and what they declare when they apply. The register simulator serves it,
// and the demo, tests and load tests apply with it.
//
// The same seed and size always give the same population. Nothing in it is
// real; the personnummer are valid numbers generated for the purpose and may
// coincide with real people's, so they must never be mixed with real data.
package population

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
)

// Source is a register behind SSBTEK.
type Source string

// The sources of register data.
const (
	FK  Source = "FK"  // Försäkringskassan (LEFI)
	PM  Source = "PM"  // Pensionsmyndigheten (LEFI)
	SO  Source = "SO"  // the unemployment funds (a-kassa)
	CSN Source = "CSN" // study finance
	AF  Source = "AF"  // Arbetsförmedlingen
	SKV Source = "SKV" // Skatteverket
	TNS Source = "TNS" // Transportstyrelsen
	MIV Source = "MIV" // Migrationsverket
)

// Sources lists every SSBTEK source in the contract's order.
var Sources = []Source{AF, CSN, FK, SKV, SO, TNS, MIV}

// Benefit codes: Försäkringskassan's and Pensionsmyndigheten's
// förmånsgrupper as LEFI names them, and the a-kassa and CSN payments.
const (
	BenefitChildAllowance     = "ABB" // allmänt barnbidrag (FK)
	BenefitHousingAllowance   = "BOB" // bostadsbidrag (FK)
	BenefitMaintenanceSupport = "US"  // underhållsstöd (FK)
	BenefitSickness           = "SJP" // sjukpenning (FK)
	BenefitParental           = "FP"  // föräldrapenning (FK)
	BenefitActivitySupport    = "AS"  // aktivitetsstöd (FK)
	BenefitPension            = "AP"  // allmän pension (PM)
	BenefitUnemployment       = "ALE" // arbetslöshetsersättning (a-kassa)
	BenefitStudyAid           = "SM"  // studiemedel (CSN)
)

// Payment is one payment a register holds.
type Payment struct {
	Source    Source
	Benefit   string
	Reference string // the register's id of the payment
	PaidOn    bistand.Date
	From, To  bistand.Date // the period it is for
	Gross     bistand.Money
	Tax       bistand.Money
	Net       bistand.Money
}

// Person is a member of a synthetic household.
type Person struct {
	Number         personnummer.Number
	GivenName      string
	FamilyName     string
	Role           string // applicant, partner, child
	BirthDate      bistand.Date
	Protected      bool // skyddad folkbokföring / sekretessmarkering
	LunchElsewhere bool
	InSchool       bool
	// Register traits.
	Profile        string // what the person lives on: salary, unemployed, sick, parental, pension, student, activity, none
	RegisteredAtAF bool
	Vehicles       []Vehicle
	Permit         *Permit // a samordningsnummer holder's residence permit
	CapitalIncome  bistand.Money
	salary         bistand.Money
	benefit        bistand.Money
}

// Vehicle is a vehicle Transportstyrelsen has registered to a person.
type Vehicle struct {
	RegNr, Make, Kind string
	Year              int
}

// Permit is a residence permit decision of Migrationsverket.
type Permit struct {
	Applied, Decided, ValidUntil bistand.Date
	Kind                         string
}

// Address is a registered address (never shown for a protected person).
type Address struct {
	Street, PostalCode, City string
}

// Household is one synthetic household.
type Household struct {
	Index        int
	Members      []Person
	Address      Address
	DwellingSize int
	Rent         bistand.Money
	Electricity  bistand.Money
	// Traits that make cases interesting.
	Late         bool   // FK pays its benefits a few days into the next month
	Varying      bool   // benefits change month to month by more than 12 %
	Contradicts  bool   // declares less income than the registers show
	FailsSource  Source // this source answers with an error for the household ("" none)
	childAllow   bistand.Money
	housingAllow bistand.Money
	maintenance  bistand.Money
}

// Population is a deterministic synthetic population.
type Population struct {
	seed uint64
	size int
	once sync.Once
	// index maps a canonical personnummer to household and member.
	index map[string][2]int
	// renumbered gives the people whose generated number another, earlier
	// person already had a new, unused one, so numbers are unique.
	renumbered map[[2]int]personnummer.Number
	// Epoch is the first month the registers hold payments for.
	Epoch bistand.Month
}

// New returns the population of size households for seed.
func New(seed uint64, size int) *Population {
	return &Population{seed: seed, size: size, Epoch: bistand.MustMonth(2024, 1)}
}

// Size returns the number of households.
func (p *Population) Size() int { return p.size }

var givenNames = []string{"Alva", "Elias", "Maja", "Noah", "Saga", "Hugo", "Ebba", "Liam", "Wilma", "Oscar",
	"Selma", "William", "Astrid", "Lucas", "Ines", "Adam", "Leah", "Omar", "Nora", "Ali", "Amira", "Jonas",
	"Hedda", "Yusuf", "Tove", "Milan", "Sara", "Emil", "Hanna", "Karim"}

var familyNames = []string{"Ekholt", "Granlid", "Sjövik", "Björkås", "Lindmark", "Rosengård", "Bergkvist",
	"Hassanzai", "Korhonen", "Aldén", "Mirzaei", "Strandberg", "Nyqvist", "Ödmark", "Falkenlund", "Yilmazer"}

var streets = []string{"Demovägen", "Exempelgatan", "Påhittade stigen", "Testallén", "Lånegränd", "Provplan"}

func (p *Population) rng(i int, salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(p.seed^0x9e3779b97f4a7c15, uint64(i)<<8|salt))
}

// Household returns household i (0 ≤ i < Size).
func (p *Population) Household(i int) Household {
	p.once.Do(p.buildIndex)
	h := p.household(i)
	for j := range h.Members {
		if n, ok := p.renumbered[[2]int{i, j}]; ok {
			h.Members[j].Number = n
		}
	}
	return h
}

// household generates household i before numbers are made unique.
func (p *Population) household(i int) Household {
	r := p.rng(i, 1)
	ref := p.Epoch.FirstDay()
	h := Household{Index: i}
	family := familyNames[r.IntN(len(familyNames))]
	h.Address = Address{
		Street:     fmt.Sprintf("%s %d", streets[r.IntN(len(streets))], 1+r.IntN(80)),
		PostalCode: fmt.Sprintf("999 %02d", r.IntN(100)),
		City:       "Demoköping",
	}
	adults := 1 + r.IntN(2)
	children := []int{0, 0, 0, 1, 1, 2, 2, 3, 4}[r.IntN(9)]
	protected := r.IntN(100) == 0
	newPerson := func(role string, minAge, maxAge int) Person {
		age := minAge + r.IntN(maxAge-minAge+1)
		birth := ref.AddMonths(-12*age - r.IntN(12)).AddDays(-r.IntN(28))
		coord := role != "child" && r.IntN(25) == 0
		female := r.IntN(2) == 0
		per := Person{
			Number:    personnummer.Generate(r, birth, coord, female),
			GivenName: givenNames[r.IntN(len(givenNames))], FamilyName: family,
			Role: role, BirthDate: birth, Protected: protected,
		}
		if coord {
			per.Permit = &Permit{Kind: "Uppehållstillstånd, arbete", Applied: ref.AddMonths(-14), Decided: ref.AddMonths(-10), ValidUntil: ref.AddMonths(14 + r.IntN(24))}
		}
		return per
	}
	for a := range adults {
		role := "applicant"
		if a == 1 {
			role = "partner"
		}
		per := newPerson(role, 19, 70)
		profiles := []string{"unemployed", "unemployed", "salary", "sick", "parental", "student", "activity", "none"}
		if age := ref.Year() - per.BirthDate.Year(); age >= 66 {
			per.Profile = "pension"
		} else {
			per.Profile = profiles[r.IntN(len(profiles))]
		}
		switch per.Profile {
		case "unemployed", "activity":
			per.RegisteredAtAF = true
			per.benefit = bistand.Kronor(int64(4000 + r.IntN(9000)))
		case "sick", "parental", "student", "pension":
			per.benefit = bistand.Kronor(int64(3000 + r.IntN(9000)))
		case "salary":
			per.salary = bistand.Kronor(int64(2000 + r.IntN(12000)))
		}
		if r.IntN(6) == 0 {
			per.Vehicles = append(per.Vehicles, Vehicle{RegNr: fmt.Sprintf("DMO%03d", r.IntN(1000)), Make: "Demobil", Kind: "PERSONBIL", Year: 2005 + r.IntN(15)})
		}
		if r.IntN(10) == 0 {
			per.CapitalIncome = bistand.Kronor(int64(100 + r.IntN(3000)))
		}
		h.Members = append(h.Members, per)
	}
	for range children {
		c := newPerson("child", 0, 17)
		age := ref.Year() - c.BirthDate.Year()
		c.LunchElsewhere = age >= 1 && age <= 6 && r.IntN(3) > 0
		h.Members = append(h.Members, c)
	}
	h.DwellingSize = len(h.Members)
	if adults == 1 && children == 0 && r.IntN(8) == 0 {
		h.DwellingSize = 2 + r.IntN(3) // shares a flat with friends
	}
	h.Rent = bistand.Kronor(int64(3800 + 900*len(h.Members) + r.IntN(2500)))
	h.Electricity = bistand.Kronor(int64(200 + r.IntN(500)))
	if children > 0 {
		h.childAllow = bistand.Kronor(int64(1250 * children))
		if children >= 2 {
			h.childAllow += bistand.Kronor(int64(150 * (children - 1)))
		}
		if r.IntN(2) == 0 {
			h.housingAllow = bistand.Kronor(int64(1000 + r.IntN(2500)))
		}
		if adults == 1 && r.IntN(2) == 0 {
			h.maintenance = bistand.Kronor(int64(1673 * children))
		}
	}
	h.Late = r.IntN(12) == 0
	h.Varying = r.IntN(8) == 0
	h.Contradicts = r.IntN(20) == 0
	if r.IntN(25) == 0 {
		h.FailsSource = Sources[r.IntN(len(Sources))]
	}
	return h
}

// buildIndex indexes every person by number, renumbering anyone whose
// generated number an earlier person has (two people born the same day can
// draw the same birth number), so that a number names one person.
func (p *Population) buildIndex() {
	p.index = make(map[string][2]int, p.size*3)
	p.renumbered = map[[2]int]personnummer.Number{}
	for i := range p.size {
		for j, m := range p.household(i).Members {
			n := m.Number
			if _, taken := p.index[n.String()]; taken {
				r := p.rng(i, uint64(100+j))
				for {
					n = personnummer.Generate(r, m.BirthDate, n.IsCoordination(), n.LegalGender() == personnummer.LegalGenderFemale)
					if _, taken := p.index[n.String()]; !taken {
						break
					}
				}
				p.renumbered[[2]int{i, j}] = n
			}
			p.index[n.String()] = [2]int{i, j}
		}
	}
}

// Lookup finds the household and member with a personnummer. People outside
// the population are not found: the registers hold nothing about them.
func (p *Population) Lookup(n personnummer.Number) (Household, int, bool) {
	p.once.Do(p.buildIndex)
	at, ok := p.index[n.String()]
	if !ok {
		return Household{}, 0, false
	}
	return p.Household(at[0]), at[1], true
}

// Payments returns what the registers paid person j of household h in a
// month (by payment date), as far as they have paid by the day asOf.
func (p *Population) Payments(h Household, j int, month bistand.Month, asOf bistand.Date) []Payment {
	if month < p.Epoch {
		return nil
	}
	per := h.Members[j]
	r := p.rng(h.Index, uint64(200+j)^uint64(month)<<16)
	vary := func(m bistand.Money) bistand.Money {
		if !h.Varying || m == 0 {
			return m
		}
		// ±15–30 %: more than the 12 % a change must exceed to be a finding.
		pct := int64(15 + r.IntN(16))
		if r.IntN(2) == 0 {
			pct = -pct
		}
		return m + m.MulDivDown(pct, 100)
	}
	var out []Payment
	add := func(src Source, benefit string, day int, net bistand.Money, taxed bool) {
		if net <= 0 {
			return
		}
		paid := month.FirstDay().AddDays(day - 1)
		if h.Late && src == FK {
			paid = month.Add(1).FirstDay().AddDays(2) // arrives after the month
		}
		if paid.After(asOf) {
			return
		}
		gross, tax := net, bistand.Money(0)
		if taxed {
			gross = net.MulDivUp(100, 70)
			tax = gross - net
		}
		out = append(out, Payment{
			Source: src, Benefit: benefit, PaidOn: paid,
			Reference: fmt.Sprintf("%s-%06d-%d-%s-%s", src, h.Index, j, benefit, month),
			From:      month.FirstDay(), To: month.LastDay(),
			Gross: gross, Tax: tax, Net: net,
		})
	}
	if j == 0 {
		add(FK, BenefitChildAllowance, 20, h.childAllow, false)
		add(FK, BenefitHousingAllowance, 26, vary(h.housingAllow), false)
		add(FK, BenefitMaintenanceSupport, 25, h.maintenance, false)
	}
	switch per.Profile {
	case "unemployed":
		add(SO, BenefitUnemployment, 12+r.IntN(10), vary(per.benefit), true)
	case "sick":
		add(FK, BenefitSickness, 25, vary(per.benefit), true)
	case "parental":
		add(FK, BenefitParental, 25, vary(per.benefit), true)
	case "activity":
		add(FK, BenefitActivitySupport, 22, vary(per.benefit), true)
	case "pension":
		add(PM, BenefitPension, 19, per.benefit, true)
	case "student":
		add(CSN, BenefitStudyAid, 25, per.benefit, false)
	}
	return out
}

// Declared is an income a household states in its application.
type Declared struct {
	Member  int
	Benefit string // a benefit code, or "salary"
	Net     bistand.Money
}

// Declarations returns the incomes household h declares when applying for
// month: what was paid out to it in the month before (the usual
// calculation month: what its bank statement shows, so for a household
// whose Försäkringskassan pays late, the benefit for the month before that),
// with its salary, and — for a household that contradicts the registers —
// one benefit left out.
func (p *Population) Declarations(h Household, month bistand.Month) []Declared {
	prev := month.Add(-1)
	var out []Declared
	for j, m := range h.Members {
		if m.salary > 0 {
			out = append(out, Declared{Member: j, Benefit: "salary", Net: m.salary})
		}
		for _, mo := range []bistand.Month{prev.Add(-1), prev} {
			for _, pay := range p.Payments(h, j, mo, prev.LastDay()) {
				if pay.PaidOn.Month() == prev {
					out = append(out, Declared{Member: j, Benefit: pay.Benefit, Net: pay.Net})
				}
			}
		}
	}
	if h.Contradicts && len(out) > 0 {
		// The household leaves out its largest register income.
		big := -1
		for i, d := range out {
			if d.Benefit != "salary" && (big < 0 || d.Net > out[big].Net) {
				big = i
			}
		}
		if big >= 0 {
			out = append(out[:big], out[big+1:]...)
		}
	}
	return out
}
