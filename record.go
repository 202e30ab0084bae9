package bistand

import (
	"crypto/rand"
	"encoding/json"
	"sync/atomic"
	"time"
)

// The records bistand keeps. Storage (sqlstore) implements them; the types
// here carry no SQL.

// idCounter orders ids made in the same millisecond by one process.
var idCounter atomic.Uint32

// NewID returns a new identifier with a prefix ("app", "dec", …): the
// prefix, a dash, 12 base-16 digits of milliseconds since 1970 and 4 of a
// per-process counter (so ids sort by creation, also within a millisecond),
// and 12 random base-16 digits. Ids never contain personal data.
//
// The base-16 digits are written with the letters a–p, not 0–9a–f: an id
// then never holds a run of ten or twelve digits, which every log scanner
// (ours and a municipality's) would take for a personnummer.
func NewID(prefix string, now time.Time) string {
	const hex = "abcdefghijklmnop" // ascending, so ids still sort by time
	var r [6]byte
	if _, err := rand.Read(r[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	b := make([]byte, 0, len(prefix)+1+12+4+12)
	b = append(b, prefix...)
	b = append(b, '-')
	ms := uint64(now.UnixMilli())<<16 | uint64(idCounter.Add(1)&0xffff)
	for i := 15; i >= 0; i-- {
		b = append(b, hex[ms>>(4*uint(i))&0xf])
	}
	for _, x := range r {
		b = append(b, hex[x>>4], hex[x&0xf])
	}
	return string(b)
}

// Person is someone bistand knows: identified by a personnummer or
// samordningsnummer, stored in canonical 12-digit form and never logged.
type Person struct {
	ID           string
	Personnummer string // canonical YYYYMMDDNNNC
	// Protected is set for skyddad folkbokföring or sekretessmarkering: the
	// address is never printed or exported and the case is handled by a person.
	Protected bool
	CreatedAt time.Time
}

// Case is a household's ärende: who it concerns over time, under which
// municipality's guidelines.
type Case struct {
	ID           string
	Municipality string
	Status       string // open or closed
	CreatedAt    time.Time
	Members      []CaseMember
}

// CaseMember is a person in a case with a role ("applicant", "partner", "child").
type CaseMember struct {
	PersonID string
	Role     string
}

// Application is a monthly application (ansökan) within a case.
type Application struct {
	ID            string
	CaseID        string
	Month         Month
	State         State
	Version       int64 // increases with every change; for optimistic locking
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SubmittedAt   time.Time // zero until submitted
	SupplementDue Date      // when a requested komplettering is due
}

// Provenance says where a fact comes from.
type Provenance string

// Provenances.
const (
	Declared   Provenance = "declared"   // stated by the household in the application
	Register   Provenance = "register"   // read from a register (source, reference, when)
	Caseworker Provenance = "caseworker" // set by a caseworker (who, why)
)

// FactKind is what a fact is about.
type FactKind string

// Kinds of fact. Their values are JSON objects described in docs/architecture.md.
const (
	FactMember             FactKind = "member"               // {"person_id","role","lunch_elsewhere","in_school"}
	FactCost               FactKind = "cost"                 // {"type","amount","person","motivation","cap_notified"}
	FactIncome             FactKind = "income"               // {"type","amount","person","earned_this_year"}
	FactAsset              FactKind = "asset"                // {"type","value","person","description"}
	FactDwellingSize       FactKind = "dwelling_size"        // {"value": n}
	FactMonthsOnAssistance FactKind = "months_on_assistance" // {"value": n}
	FactJobbstimulansSince FactKind = "jobbstimulans_since"  // {"value": "YYYY-MM"}
	// FactPayout is where a household member wants the assistance paid, key
	// "payout:<person id>": {"person_id","name","account":{"kind":
	// "bank_account","clearing","number"} or {"kind":"bankgiro","number"},
	// "share_per_mille"} (share optional: for splitting between partners).
	// It changes no calculation; payment orders are made from it.
	FactPayout FactKind = "payout"
)

// FactContact is a member's name and postal address as the population
// register gives them, key "contact:<person id>":
// {"person_id","name","address":["street","NNN NN City"]}. It is what a
// decision letter is addressed with; it plays no part in any calculation.
// A protected person's fact never has an address.
const FactContact FactKind = "contact"

// Fact is one value used to decide an application, with where it comes from.
// Facts are never changed: a later fact with the same Key supersedes an
// earlier one, and a fact with no Value retracts the key.
type Fact struct {
	ID            string
	ApplicationID string
	Seq           int64 // order within the application
	Key           string
	Kind          FactKind
	Value         json.RawMessage // nil when the key is retracted
	Provenance    Provenance
	Source        string    // register: which register (e.g. "FK", "SKV")
	Reference     string    // register: the register's reference for the answer
	ObservedAt    time.Time // register: when the register said so
	Actor         Actor
	Reason        string // caseworker: why
	RecordedAt    time.Time
}

// Attachment is a file attached to an application, stored by content hash.
type Attachment struct {
	ID            string
	ApplicationID string
	SHA256        string
	Filename      string
	ContentType   string
	Size          int64
	UploadedBy    Actor
	UploadedAt    time.Time
}

// Signature is a household member's signature of an application.
type Signature struct {
	ApplicationID string
	PersonID      string
	Method        string // "bankid" in production, "demo" in the demo
	Reference     string // the e-ID provider's reference
	SignedAt      time.Time
}

// Transition is one recorded change of an application's state.
type Transition struct {
	ApplicationID string
	Seq           int64
	From, To      State
	Actor         Actor
	Reason        string
	At            time.Time
}

// Outcome of a decision.
type Outcome string

// Outcomes of a decision.
const (
	OutcomeApproved       Outcome = "approved"
	OutcomePartlyApproved Outcome = "partly_approved"
	OutcomeRejected       Outcome = "rejected"
)

// Decision is an immutable decision on an application. A change is a new
// decision that Replaces the earlier one.
type Decision struct {
	ID            string
	ApplicationID string
	CaseID        string
	Month         Month
	Outcome       Outcome
	Amount        Money
	// Snapshot is the household-month the decision was calculated from, in
	// the input format of `bistand calc`; RulesVersion and ParamsHash
	// identify the rules; Trace is the calculation result with its lines.
	Snapshot     json.RawMessage
	RulesVersion string
	ParamsHash   string
	Trace        json.RawMessage
	DecidedBy    Actor
	// ApprovedBy is the second caseworker who approved the decision when it
	// needed four eyes (a Proposal); the zero Actor otherwise.
	ApprovedBy Actor
	Motivation string
	Replaces   string // id of the decision this one replaces, or ""
	DecidedAt  time.Time
}

// Proposal statuses.
const (
	ProposalPending   = "pending"   // waiting for a second caseworker
	ProposalApproved  = "approved"  // approved: the decision is recorded
	ProposalWithdrawn = "withdrawn" // withdrawn by the proposer
	ProposalRefused   = "refused"   // refused by a second caseworker, with a note
)

// Proposal is a caseworker's decision that needs a second caseworker's
// approval (four eyes) before it is recorded: the outcome, amount and
// motivation as proposed, and what it was proposed on. Approved, it becomes
// a Decision made by the proposer and approved by the reviewer.
type Proposal struct {
	ID            string
	ApplicationID string
	CaseID        string
	Outcome       Outcome
	Amount        Money
	Motivation    string
	Replaces      string // the decision the proposed one would replace, or ""
	// AppVersion and BasisHash are what the proposal was made on: the
	// application's version, and a hash of the calculation's input snapshot
	// and rules. An approval after either changed is refused.
	AppVersion int64
	BasisHash  string
	ProposedBy Actor
	CreatedAt  time.Time
	Status     string
	ReviewedBy Actor  // who approved or refused it (the proposer, when withdrawn)
	ReviewNote string // required when refusing
	ReviewedAt time.Time
	DecisionID string // the decision recorded on approval
}

// Notification kinds.
const (
	// NotificationSupplementReminder reminds the household of a requested
	// komplettering before it is due.
	NotificationSupplementReminder = "supplement_reminder"
)

// FindingSupplementExpired: a requested komplettering did not come in time;
// a caseworker decides on what the case holds.
const FindingSupplementExpired FindingKind = "supplement_expired"

// Notification is a message to a member of the household, in Swedish,
// waiting in the outbox until it is sent. It never carries a personnummer.
type Notification struct {
	ID            string
	ApplicationID string
	CaseID        string // the application's case; set by the store
	PersonID      string // the adult of the household it is for
	Kind          string
	// Ref says what the notification is about within its kind (a
	// reminder: the due date): an application has at most one notification
	// of a kind and a non-empty Ref.
	Ref       string
	Subject   string
	Body      string
	CreatedAt time.Time
	SentAt    time.Time // zero until sent
}

// FindingKind is what a finding (avklaring) is about.
type FindingKind string

// Kinds of finding raised while collecting and comparing register data.
const (
	FindingIncomeMismatch         FindingKind = "income_mismatch"          // declared and register amounts differ beyond the tolerance
	FindingIncomeNotDeclared      FindingKind = "income_not_declared"      // a register income the household did not declare
	FindingIncomeNotInRegister    FindingKind = "income_not_in_register"   // a declared income the register does not show
	FindingIncomeChange           FindingKind = "income_change"            // a benefit changed more than its threshold between the two previous months
	FindingUnmappedRegisterIncome FindingKind = "unmapped_register_income" // a register payment no mapping covers: a person decides what it is
	FindingExpectedIncomeMissing  FindingKind = "expected_income_missing"  // an income counted last month has not appeared
	FindingSourceError            FindingKind = "source_error"             // a register did not answer; its data is missing
	FindingProtectedIdentity      FindingKind = "protected_identity"       // a member has skyddad folkbokföring or sekretessmarkering
	FindingNotInPopulationReg     FindingKind = "not_in_population_register"
	FindingMemberAdded            FindingKind = "member_added"     // compared with last month's decision
	FindingMemberRemoved          FindingKind = "member_removed"   // compared with last month's decision
	FindingIncomeTypeNew          FindingKind = "income_type_new"  // an income type not counted last month
	FindingIncomeTypeGone         FindingKind = "income_type_gone" // an income type counted last month, absent now
	FindingRentChanged            FindingKind = "rent_changed"     // the rent differs from last month's
)

// Finding statuses.
const (
	FindingOpen     = "open"
	FindingResolved = "resolved"
)

// Finding is something a person must look at before an application is
// decided (an avklaring), with the facts behind it. The robot raises
// findings; a caseworker resolves them, saying how.
type Finding struct {
	ID            string
	ApplicationID string
	CaseID        string
	Kind          FindingKind
	// Subject says what the finding concerns (a person, an income type, a
	// source); one open finding per kind and subject.
	Subject    string
	Text       string          // Swedish, for the caseworker
	Data       json.RawMessage // the values and fact keys behind it
	Status     string
	CreatedBy  Actor
	CreatedAt  time.Time
	ResolvedBy Actor
	Resolution string
	ResolvedAt time.Time
}
