package bistand

// Facts the robot records beside the household's declarations.
const (
	// FactAFStatus is a person's registration at Arbetsförmedlingen as the
	// register reports it, key "af:<person id>":
	// {"registered": bool, "extent": percent, "programme": bool}.
	FactAFStatus FactKind = "af_status"
	// FactRandomCheck is the robot's draw for a random check (stickprov),
	// key "random_check": {"per_mille": n, "draw": 0–999, "selected": bool}.
	FactRandomCheck FactKind = "random_check"
)

// Facts the collector records from the registers' answers (provenance
// Register, Source the register: TNS, MIV, SKV, CSN, SO, FK or PM) for the
// caseworker to see. The calculation reads none of them, and none raises a
// finding. A fact is recorded when the register reports something and
// retracted when a complete answer from it no longer does; an answer with
// an error or gaps changes nothing. Amounts are kronor with öre (Money),
// dates "YYYY-MM-DD" (omitted when not given); the shapes are the value
// types in sqlstore/register_info.go, described in docs/registers.md.
const (
	// FactVehicle is a vehicle Transportstyrelsen registers to a person,
	// key "vehicle:<person id>:<regnr>": {"person", "regnr", "make",
	// "model", "kind", "year"}.
	FactVehicle FactKind = "vehicle"
	// FactPermit is Migrationsverket's decisions on a person's residence
	// permit, key "permit:<person id>": {"person", "permits": [{"case_type",
	// "case_type_name", "decision_code", "decision_code_name",
	// "decision_type", "decision_type_name", "reason", "reason_name",
	// "applied_on", "decided_on", "from", "to", "validity"}]}.
	FactPermit FactKind = "permit"
	// FactTax is Skatteverket's capital income of a person, key
	// "tax:<person id>": {"person", "capital_income": [{"tax_year",
	// "income", "surplus"}]}.
	FactTax FactKind = "tax"
	// FactCSN is CSN's cases of study support for a person, key
	// "csn:<person id>": {"person", "result_code", "kinds": {kind: value},
	// "cases": [{"kind", "number", "form", "text", "status", "granted":
	// [{"from", "to", "pace", "total"}]}]}.
	FactCSN FactKind = "csn"
	// FactFund is the unemployment funds' answer about a person, key
	// "fund:<person id>": {"person", "funds": [{"name", "status",
	// "suspensions": [{"from", "to"}], "entitlement_decided_on",
	// "payment_applied"}]}.
	FactFund FactKind = "fund"
	// FactPlannedPayments are a register's payments to a person decided but
	// not yet made, key "planned_payments:<person id>:<source>" (FK, PM,
	// CSN): {"person", "source", "payments": [{"benefit", "reference",
	// "paid_on", "from", "to", "gross", "tax", "net"}]}.
	FactPlannedPayments FactKind = "planned_payments"
	// FactBenefitDecision is Försäkringskassan's or Pensionsmyndigheten's
	// decisions on a benefit of a person, key "benefit_decision:<person
	// id>:<source>:<benefit>" (e.g. "…:FK:BOB", "…:PM:AP"): {"person",
	// "source", "benefit", "decisions": [{"id", "decided_on", "final",
	// "status", "outcome", "amounts": [{"kind", "from", "to", "gross",
	// "frequency", "days"}]}]}.
	FactBenefitDecision FactKind = "benefit_decision"
)

// Automated is the provenance of a fact the robot produced by its own
// procedure (a random draw), as opposed to one read from a register.
const Automated Provenance = "robot"

// Finding kinds raised by the robot's checks before it decides.
const (
	FindingFirstApplication    FindingKind = "first_application"     // no decision last month: a person assesses
	FindingNotApproved         FindingKind = "not_approved"          // the calculation rejects or grants less: a person decides
	FindingAmountAboveLimit    FindingKind = "amount_above_limit"    // above what the robot may grant alone
	FindingAmountChange        FindingKind = "amount_change"         // the amount changed more than the limit since last month
	FindingCostOutsideStandard FindingKind = "cost_outside_standard" // a cost outside the standard list
	FindingAFNotRegistered     FindingKind = "af_not_registered"     // no registration at Arbetsförmedlingen confirmed
	FindingAktivitetskrav      FindingKind = "aktivitetskrav"        // full-time activity not confirmed
	FindingProposal            FindingKind = "proposal"              // the robot may only propose: a person decides
	FindingRandomCheck         FindingKind = "random_check"          // drawn for a stickprov
	FindingAutomationPaused    FindingKind = "automation_paused"     // a supervisor has paused the robot's decisions
)
