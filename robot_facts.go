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
