package rules

// Role is a member's role in the household applying.
type Role uint8

// Roles. Applicant and partner are the adults; a child is a child or young
// person at home whom the adults support.
const (
	Applicant Role = iota + 1
	Partner
	Child
)

var roleNames = [...]string{Applicant: "applicant", Partner: "partner", Child: "child"}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, bool) { return parseName[Role](roleNames[:], s) }

// parseName returns the index of s in names as a T; the empty name never matches.
func parseName[T ~uint8](names []string, s string) (T, bool) {
	for i, n := range names {
		if n != "" && n == s {
			return T(i), true
		}
	}
	return 0, false
}

func (r Role) String() string {
	if int(r) < len(roleNames) && roleNames[r] != "" {
		return roleNames[r]
	}
	return "unknown"
}

// CostType is a kind of reasonable cost (skälig kostnad) outside the riksnorm.
type CostType uint8

// Cost types, in the order the explanation lists them.
const (
	Rent CostType = iota
	Electricity
	HomeInsurance
	UnionFee
	UnemploymentFundFee
	WorkTravel
	Childcare
	Medical
	Medicine
	DentalAcute
	Glasses
	OtherCost
	numCostTypes
)

var costNames = [numCostTypes]string{
	Rent: "rent", Electricity: "electricity", HomeInsurance: "home_insurance",
	UnionFee: "union_fee", UnemploymentFundFee: "unemployment_fund_fee", WorkTravel: "work_travel",
	Childcare: "childcare", Medical: "medical", Medicine: "medicine", DentalAcute: "dental_acute",
	Glasses: "glasses", OtherCost: "other",
}

func (c CostType) String() string {
	if c < numCostTypes {
		return costNames[c]
	}
	return "unknown"
}

// CostTypes returns every cost type in order.
func CostTypes() []CostType {
	out := make([]CostType, numCostTypes)
	for i := range out {
		out[i] = CostType(i)
	}
	return out
}

// ParseCostType returns the cost type named s.
func ParseCostType(s string) (CostType, bool) { return parseName[CostType](costNames[:], s) }

// IncomeType is a kind of income.
type IncomeType uint8

// Income types, in the order the explanation lists them.
const (
	Salary IncomeType = iota
	ChildAllowance
	HousingAllowance
	MaintenanceSupport
	SicknessBenefit
	ParentalBenefit
	UnemploymentBenefit
	ActivitySupport
	Pension
	StudyAid
	StudyAidExtra
	DisabilityAllowance
	TaxRefund
	OtherIncome
	numIncomeTypes
)

var incomeNames = [numIncomeTypes]string{
	Salary: "salary", ChildAllowance: "child_allowance", HousingAllowance: "housing_allowance",
	MaintenanceSupport: "maintenance_support", SicknessBenefit: "sickness_benefit",
	ParentalBenefit: "parental_benefit", UnemploymentBenefit: "unemployment_benefit",
	ActivitySupport: "activity_support", Pension: "pension", StudyAid: "study_aid",
	StudyAidExtra: "study_aid_extra", DisabilityAllowance: "disability_allowance",
	TaxRefund: "tax_refund", OtherIncome: "other",
}

func (t IncomeType) String() string {
	if t < numIncomeTypes {
		return incomeNames[t]
	}
	return "unknown"
}

// IncomeTypes returns every income type in order.
func IncomeTypes() []IncomeType {
	out := make([]IncomeType, numIncomeTypes)
	for i := range out {
		out[i] = IncomeType(i)
	}
	return out
}

// ParseIncomeType returns the income type named s.
func ParseIncomeType(s string) (IncomeType, bool) { return parseName[IncomeType](incomeNames[:], s) }

// Status says how sure bistand is of a parameter value.
type Status string

// Statuses. Only Confirmed counts as verified.
const (
	Confirmed    Status = "confirmed"    // read in the official text or table
	StrongHint   Status = "strong_hint"  // agreeing secondary evidence, not read in the official text
	Derived      Status = "derived"      // computed from other values by a stated rule
	Estimate     Status = "estimate"     // projected (e.g. last confirmed year raised by the published uprating)
	Unknown      Status = "unknown"      // no value; never invented
	Illustrative Status = "illustrative" // example data of the fictional demo municipality
)

func (s Status) valid() bool {
	switch s {
	case Confirmed, StrongHint, Derived, Estimate, Unknown, Illustrative:
		return true
	}
	return false
}

// Verified reports whether the value was read in an official text.
func (s Status) Verified() bool { return s == Confirmed }

// Swedish returns a short Swedish description of the status for people.
func (s Status) Swedish() string {
	switch s {
	case Confirmed:
		return "bekräftat"
	case StrongHint:
		return "sannolikt, ej verifierat"
	case Derived:
		return "härlett"
	case Estimate:
		return "uppskattat"
	case Unknown:
		return "okänt"
	case Illustrative:
		return "exempel (påhittad kommun)"
	}
	return string(s)
}

// weaker returns the weaker of two statuses: a value computed from several
// inherits the least certain of them.
func weaker(a, b Status) Status {
	rank := func(s Status) int {
		switch s {
		case Confirmed:
			return 0
		case Derived:
			return 1
		case StrongHint:
			return 2
		case Illustrative:
			return 3
		case Estimate:
			return 4
		}
		return 5
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// Kind is the kind of source a rule or value rests on.
type Kind string

// Kinds of source.
const (
	Law                Kind = "law"
	Regulation         Kind = "regulation"
	AgencyGuidance     Kind = "agency_guidance"
	MunicipalGuideline Kind = "municipal_guideline"
)

func (k Kind) valid() bool {
	switch k {
	case Law, Regulation, AgencyGuidance, MunicipalGuideline:
		return true
	}
	return false
}

// Swedish returns the Swedish name of the kind of source.
func (k Kind) Swedish() string {
	switch k {
	case Law:
		return "lag"
	case Regulation:
		return "förordning"
	case AgencyGuidance:
		return "myndighets vägledning"
	case MunicipalGuideline:
		return "kommunal riktlinje"
	}
	return string(k)
}

// Section groups the lines of an explanation.
type Section string

// Sections of the explanation, in order.
const (
	SectionNorm   Section = "norm"
	SectionCosts  Section = "costs"
	SectionIncome Section = "income"
	SectionResult Section = "result"
)

// Outcome is the result of a calculation.
type Outcome string

// Outcomes.
const (
	Approved Outcome = "approved" // a positive amount is payable
	Rejected Outcome = "rejected" // income covers the needs; the surplus is shown
)
