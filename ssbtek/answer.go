package ssbtek

import (
	"strings"

	"github.com/bistand/bistand"
)

// Source is one of the registers SSBTEK answers for.
type Source string

// The sources, in the contract's order. PM is not a source one asks:
// Pensionsmyndigheten answers inside Försäkringskassan's LEFI answer, and
// PM marks its payments (Payment.Source) there.
const (
	AF  Source = "AF"  // Arbetsförmedlingen: registration as a job seeker
	CSN Source = "CSN" // CSN: study finance
	FK  Source = "FK"  // Försäkringskassan (and Pensionsmyndigheten) via LEFI: payments
	SKV Source = "SKV" // Skatteverket: capital income
	SO  Source = "SO"  // the unemployment funds (a-kassorna): payments
	TNS Source = "TNS" // Transportstyrelsen: vehicles owned
	MIV Source = "MIV" // Migrationsverket: residence permits
	PM  Source = "PM"  // Pensionsmyndigheten, in Payment.Source only
)

// Sources lists the sources one can ask, in the contract's order.
var Sources = []Source{AF, CSN, FK, SKV, SO, TNS, MIV}

// Kalla says where a source error comes from.
const (
	KallaSSBT   = "SSBT"   // the composite service itself, e.g. a timeout towards the source
	KallaBT     = "BT"     // the source's own service
	KallaClient = "CLIENT" // this client: the answer could not be used (see the Code* constants)
)

// Codes of the errors this client gives a source (with KallaClient).
const (
	CodeMissing     = "MISSING"      // the source was asked but the response has no answer from it
	CodeMalformed   = "MALFORMED"    // the source's data could not be read
	CodeWrongPerson = "WRONG_PERSON" // the source answered about another person than the one asked about
)

// Answer is what SSBTEK answered for one person and period.
type Answer struct {
	// CorrelationID is the korrelationsid of the call (the one sent, which
	// the response must echo if it echoes one).
	CorrelationID string
	// Sources holds one answer per source asked (and any other source the
	// response carries). A source that failed has Err set.
	Sources map[Source]*SourceAnswer
}

// Payments returns every payment in the answer, source by source in the
// contract's order.
func (a *Answer) Payments() []Payment {
	var out []Payment
	for _, s := range Sources {
		if sa := a.Sources[s]; sa != nil {
			out = append(out, sa.Payments...)
		}
	}
	return out
}

// Complete reports whether every source in the answer answered without an
// error and without gaps.
func (a *Answer) Complete() bool {
	for _, sa := range a.Sources {
		if !sa.Complete() {
			return false
		}
	}
	return true
}

// Protected reports whether any source marks the person as protected
// (Arbetsförmedlingen's sekretessmarkering, CSN's sekretess). The
// population register (Navet) is the authority on protected identity;
// this is a second signal, never a reason to treat a person as unprotected.
func (a *Answer) Protected() bool {
	for _, sa := range a.Sources {
		if (sa.AF != nil && sa.AF.Protected) || (sa.CSN != nil && sa.CSN.Protected) {
			return true
		}
	}
	return false
}

// SourceAnswer is one source's answer: an error, or its data. Only the
// fields of the source's own kind are set.
type SourceAnswer struct {
	Source Source
	// Err is the source's error: from SSBTEK (kalla SSBT or BT), or from this
	// client when the answer is missing, unreadable or about another person
	// (KallaClient). The data fields are then empty.
	Err *SourceError
	// Gaps are parts of an answer that are missing although the source
	// answered: LEFI's avvikelser and unavailable utlämnare, and items this
	// client could not read (never dropped silently).
	Gaps []Gap

	// Payments made (FK, PM, SO, CSN), by payment date.
	Payments []Payment
	// Planned are payments decided but not yet made: LEFI's preliminary
	// payments and CSN's planned ones.
	Planned []Payment

	// Decisions are Försäkringskassan's and Pensionsmyndigheten's
	// decisions on the benefits asked about (FK; LEFI's beslut).
	Decisions []Decision

	AF            *AFStatus       // AF
	CSN           *CSNStatus      // CSN
	Funds         []Fund          // SO: one per unemployment fund answering
	Vehicles      []Vehicle       // TNS
	Permits       []Permit        // MIV
	CapitalIncome []CapitalIncome // SKV

	// ids are the person identities the source's data names (an echo of
	// the question), checked against the person asked about by Fetch.
	ids []string
}

// Complete reports whether the source answered without error and gaps.
func (sa *SourceAnswer) Complete() bool { return sa.Err == nil && len(sa.Gaps) == 0 }

// SourceError is a source's error in an answer.
type SourceError struct {
	Kalla    string   // KallaSSBT, KallaBT or KallaClient
	Code     string   // felkod
	Messages []string // felmeddelande, verbatim from the service
}

func (e *SourceError) Error() string {
	return "ssbtek: source error " + e.Kalla + " " + e.Code + ": " + redact(strings.Join(e.Messages, "; "))
}

// Gap is a part of a source's answer that is missing.
type Gap struct {
	Group string // what is missing: a LEFI group ("FK:BOB"), an utlämnare ("PM"), or an item ("SO payment 3")
	Code  string // LEFI's avvikelse (INTERNT_FEL, OBEHORIG) or tillstånd (FELANDE, OTILLGANGLIG), or CodeMalformed
	Text  string
}

// Payment is one payment a register reports.
type Payment struct {
	// Source is the paying register: FK, PM (inside FK's answer), SO or CSN.
	Source Source
	// Benefit is the register's benefit code: for FK the förmånsfamilj
	// ("BOB", "SJP", …), for PM the förmånsgrupp without its prefix ("AP"),
	// "ALE" for a-kassa payments, and for CSN "SM" (studiemedel), "SH"
	// (studiehjälp), "HUT" (hemutrustningslån), "SSS" (studiestartsstöd) or
	// "OSS" (omställningsstudiestöd).
	Benefit string
	// Reference identifies the payment within the answer. The registers give
	// payments no id, so it is made from what identifies one: source,
	// benefit, payment date, period (and CSN's case number); a suffix "#2",
	// "#3" … tells identical ones apart.
	Reference string
	PaidOn    bistand.Date
	From, To  bistand.Date // the period paid for (zero when not given)
	// Gross, Tax and Net are the amounts. The a-kassa gives only the net
	// amount after tax (Gross and Tax are zero); CSN pays untaxed (Gross =
	// Net, Tax zero). Net is what counts as income.
	Gross, Tax, Net bistand.Money
}

// Decision is a decision on a benefit that Försäkringskassan or
// Pensionsmyndigheten reports in LEFI: one beslut of an ärende in
// Försäkringskassan's model (formansinformation), or one of
// Pensionsmyndighetens beslut.
type Decision struct {
	// Source is FK or PM.
	Source Source
	// Benefit is the förmånsgrupp without its prefix, as in Payment:
	// "ABB", "BOB", "US", "SJP", "FP", "AS" (FK) or "AP" (PM).
	Benefit string
	// ID is Pensionsmyndigheten's beslutsid; Försäkringskassan gives none.
	ID string
	// DecidedOn is when the decision was made (FK fattades, PM
	// beslutsdatum); zero when not given.
	DecidedOn bistand.Date
	// Final reports a definitive decision: FK's definitivt, PM's
	// beslutsstatus SLUTLIGT. A definitive decision may still be appealed.
	Final bool
	// Status is the decision's status as the register writes it: PM's
	// beslutsstatus (INTERIMISTISKT, PRELIMINART, SLUTLIGT), FK's
	// beslutstyp of sjukpenning (SLUTLIGT, INTERMISTISKT); "" otherwise.
	Status string
	// Outcome is the decision's outcome: PM's beslutsutfall (BIFALL,
	// AVSLAG), FK's beslutsutfall of sjukpenning (BEVILJAN, AVSLAG), or
	// "AVSLAG" when Försäkringskassan marks the ärende avslaget; "" when
	// the register says nothing (a decision of an amount is a grant).
	Outcome string
	// Amounts are what was decided, by period: one for each of FK's
	// decisions, one per beslutadErsattning of PM's.
	Amounts []DecidedAmount
}

// DecidedAmount is a benefit decided for a period.
type DecidedAmount struct {
	// Kind is FK's förmån id (with "/" and the delförmån id when given),
	// or PM's ersättningstyp without its prefix ("IP", "GARP", …).
	Kind string
	// From and To bound the period decided (a month "2024-09" is its first
	// or last day); To is zero for an open period, From when not given.
	From, To bistand.Date
	// Gross is the gross amount decided (SEK): per Frequency, or for the
	// whole period when Frequency is "". For FK's sjukpenning and
	// föräldrapenning, decided per day, it is the sum of the days'
	// amounts. PM decides whole kronor.
	Gross bistand.Money
	// Frequency is what Gross is for: MANAD, KVARTAL, HALVAR, AR (FK's
	// periodicitet 1–4 and PM's beloppsfrekvens), or PM's VECKA, DAG,
	// ENGANGS; "" when the register gives none (FK's periodicitet 0).
	Frequency string
	// Days is FK's dagar (days compensated), 0 when not given.
	Days int
}

// AFStatus is Arbetsförmedlingen's answer.
type AFStatus struct {
	Registered            bool         // Arbetssokande: registered as a job seeker
	Category              string       // ArbetssokandeSKAT: the job seeker's category, as text
	RegisteredOn          bistand.Date // ArbetssokandeRegistrerad
	Extent                int          // ArbetssokandeOmfattning: percent of full time sought
	DeregisteredOn        bistand.Date // ArbetssokandeAvaktualiserad
	ActivityReportMessage string       // AktivitetsRapportMeddelande
	LastActivityReport    bistand.Date // SenasteAktivitetsRapportDatum
	UnemploymentFund      string       // Akassetillhorighet
	Decisions             []AFDecision // BeslutInfo: decisions on compensation (e.g. aktivitetsstöd)
	Protected             bool         // Sekretessmarkering
	StatusCode            int          // StatusSokandeinformationKod (0: answered normally)
	StatusText            string       // StatusSokandeinformationKodText
}

// AFDecision is an economic decision Arbetsförmedlingen reports.
type AFDecision struct {
	Kind     string // ErsattningTyp
	Extent   int    // Omfattning, percent
	From, To bistand.Date
}

// CSNStatus is CSN's answer. Payments are in SourceAnswer.Payments and
// Planned.
type CSNStatus struct {
	ResultCode string // ResultatKod ("0": OK)
	ResultText string
	// Found is false when CSN has no person to answer about ("Ej träff", or
	// no Person at all — CSN's schema cannot carry a samordningsnummer).
	Found     bool
	Protected bool // the person's sekretess attribute is set
	// Kinds are the Studiestodstypforteckning values per kind of support
	// ("studiemedel", "studiehjalp", "hemutrustningslan", "studiestartsstod",
	// "omstallningsstudiestod"), as CSN writes them.
	Kinds map[string]string
	Cases []CSNCase
}

// CSNCase is one of CSN's cases (ärenden) for the person.
type CSNCase struct {
	Kind    string // Studiemedel, Studiehjalp, HemutrustningsLan, Studiestartsstod or Omstallningsstudiestod
	Number  string // lopnummer
	Form    string // stodform, e.g. GRUND
	Text    string // klartext
	Status  string // BESLUTAD, INITIERAD, AVSLUTAD, …
	Granted []CSNGrant
}

// CSNGrant is a granted period of study support.
type CSNGrant struct {
	From, To bistand.Date // starttid, sluttid (weeks: Monday and Sunday)
	Pace     string       // takt, percent
	Total    bistand.Money
}

// Fund is one unemployment fund's answer (SO).
type Fund struct {
	Name        string // SvarandeOrganisation
	Status      string // StatusSvarandeOrganisation
	Suspensions []Period
	// EntitlementDecidedOn is the decision on the right to compensation
	// (BeslutOmRattTillErsattning), zero when not given.
	EntitlementDecidedOn bistand.Date
	PaymentApplied       bool // AnsokanOmUtbetalningInlamnad
}

// Period is a span of days, both included.
type Period struct{ From, To bistand.Date }

// Vehicle is a vehicle Transportstyrelsen registers to the person.
type Vehicle struct {
	RegNr string
	Make  string // fabrikat
	Model string // handelsbeteckning
	Kind  string // fordonsslag: PERSONBIL, MOTORCYKEL, …
	Year  int    // fordonsår, 0 when not a year
}

// Permit is one of Migrationsverket's decisions on the person.
type Permit struct {
	CaseType, CaseTypeName         string // arendeTyp, e.g. UAT
	DecisionCode, DecisionCodeName string // beslutsKod, e.g. BEV
	DecisionType, DecisionTypeName string // beslutsTyp, e.g. PUT
	Reason, ReasonName             string // anledning
	AppliedOn, DecidedOn           bistand.Date
	From, To                       bistand.Date
	Validity                       string // giltighetstid: PERMANENT or TIDBEGRANSAT
}

// CapitalIncome is Skatteverket's capital income of a tax year.
type CapitalIncome struct {
	TaxYear int           // Taxeringsar, as Skatteverket gives it
	Income  bistand.Money // SummaIntakterPaKapital
	Surplus bistand.Money // OverskottPaKapital
}

// redact replaces every run of ten or more digits (with an optional hyphen
// or plus before the last four) in a service's text by "[nummer]", so that
// an error message never carries a personnummer.
func redact(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && (isDigit(s[j]) || ((s[j] == '-' || s[j] == '+') && j > i && j+1 < len(s) && isDigit(s[j+1]))) {
			j++
		}
		digits := 0
		for k := i; k < j; k++ {
			if isDigit(s[k]) {
				digits++
			}
		}
		switch {
		case j > i && digits >= 10:
			b.WriteString("[nummer]")
			i = j
		case j > i:
			b.WriteString(s[i:j])
			i = j
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}
