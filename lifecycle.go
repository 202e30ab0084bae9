package bistand

import (
	"errors"
	"fmt"
)

// State is where a monthly application is in its lifecycle.
type State string

// The states of an application. The main path is
// draft → submitted → collecting → assessed → decided → paid; the side paths
// are a supplement request (komplettering), a random check (stickprov),
// withdrawal and expiry.
const (
	Draft               State = "draft"                // being filled in by the household
	Submitted           State = "submitted"            // signed and handed in
	Collecting          State = "collecting"           // register data being gathered
	Assessed            State = "assessed"             // calculated and checked; awaiting a decision
	Decided             State = "decided"              // a decision exists
	Paid                State = "paid"                 // the decided amount has been paid
	SupplementRequested State = "supplement_requested" // komplettering asked for, with a due date
	Supplemented        State = "supplemented"         // the household has answered the request
	RandomCheck         State = "random_check"         // drawn for a stickprov
	Withdrawn           State = "withdrawn"            // withdrawn by the household
	Expired             State = "expired"              // a draft or a supplement request ran out
)

// States lists every state.
func States() []State {
	return []State{Draft, Submitted, Collecting, Assessed, Decided, Paid, SupplementRequested, Supplemented, RandomCheck, Withdrawn, Expired}
}

// Swedish returns the state in plain Swedish for the household.
func (s State) Swedish() string {
	switch s {
	case Draft:
		return "utkast"
	case Submitted:
		return "inskickad"
	case Collecting:
		return "uppgifter hämtas"
	case Assessed:
		return "beräknad, väntar på beslut"
	case Decided:
		return "beslutad"
	case Paid:
		return "utbetald"
	case SupplementRequested:
		return "komplettering begärd"
	case Supplemented:
		return "kompletterad"
	case RandomCheck:
		return "stickprovskontroll"
	case Withdrawn:
		return "återkallad"
	case Expired:
		return "förfallen"
	}
	return string(s)
}

// ActorKind is who acts on a record.
type ActorKind string

// Kinds of actor.
const (
	ActorApplicant  ActorKind = "applicant"  // a member of the household
	ActorCaseworker ActorKind = "caseworker" // a named member of staff
	ActorRobot      ActorKind = "robot"      // the automated function the board has delegated to
	ActorSystem     ActorKind = "system"     // the program itself (timers, imports)
)

// Actor is who does something: a kind and an id (a person's, a staff
// member's or a component's). Never a personnummer.
type Actor struct {
	Kind ActorKind
	ID   string
}

// Staff reports whether the actor is a member of staff, whose reads of a
// case are audited.
func (a Actor) Staff() bool { return a.Kind == ActorCaseworker }

func (a Actor) String() string { return string(a.Kind) + ":" + a.ID }

// Valid reports whether the actor has a known kind and an id.
func (a Actor) Valid() bool {
	switch a.Kind {
	case ActorApplicant, ActorCaseworker, ActorRobot, ActorSystem:
		return a.ID != ""
	}
	return false
}

// Errors shared by every implementation of the domain's interfaces.
var (
	ErrNotFound          = errors.New("not found")
	ErrInvalidTransition = errors.New("transition not allowed")
	ErrConflict          = errors.New("conflict")
	ErrInvalid           = errors.New("invalid")
	ErrForbidden         = errors.New("forbidden")
)

// transitions lists every allowed transition and who may make it. A
// decision (→ decided) is only made by recording a Decision.
var transitions = map[State]map[State][]ActorKind{
	Draft: {
		Submitted: {ActorApplicant},
		Withdrawn: {ActorApplicant, ActorCaseworker},
		Expired:   {ActorSystem},
	},
	Submitted: {
		Collecting: {ActorRobot, ActorSystem, ActorCaseworker},
		Withdrawn:  {ActorApplicant, ActorCaseworker},
	},
	Collecting: {
		Assessed:            {ActorRobot, ActorCaseworker},
		SupplementRequested: {ActorRobot, ActorCaseworker},
		Withdrawn:           {ActorApplicant, ActorCaseworker},
	},
	Assessed: {
		Decided:             {ActorRobot, ActorCaseworker},
		Collecting:          {ActorRobot, ActorCaseworker},
		SupplementRequested: {ActorRobot, ActorCaseworker},
		RandomCheck:         {ActorRobot, ActorCaseworker},
		Withdrawn:           {ActorApplicant, ActorCaseworker},
	},
	RandomCheck: {
		Assessed:            {ActorCaseworker},
		SupplementRequested: {ActorCaseworker},
		Withdrawn:           {ActorApplicant, ActorCaseworker},
	},
	SupplementRequested: {
		Supplemented: {ActorApplicant, ActorCaseworker},
		Expired:      {ActorSystem},
		Withdrawn:    {ActorApplicant, ActorCaseworker},
	},
	Supplemented: {
		Collecting: {ActorRobot, ActorSystem, ActorCaseworker},
		Withdrawn:  {ActorApplicant, ActorCaseworker},
	},
	Expired: {
		// An expired supplement request still needs a decision, on what the
		// case holds; only a person makes it. (An expired draft was never
		// submitted and needs none: CheckTransition refuses it.)
		Decided: {ActorCaseworker},
	},
	Decided: {
		Paid: {ActorSystem},
	},
}

// Terminal reports whether nothing can follow s.
func (s State) Terminal() bool { return len(transitions[s]) == 0 }

// CheckTransition reports whether actor may move an application from one
// state to another. wasSubmitted tells whether the application has ever been
// submitted (an expired draft cannot be decided). The error wraps
// ErrInvalidTransition or ErrForbidden.
func CheckTransition(from, to State, actor ActorKind, wasSubmitted bool) error {
	kinds, ok := transitions[from][to]
	if !ok {
		return fmt.Errorf("%w: %s → %s", ErrInvalidTransition, from, to)
	}
	if from == Expired && to == Decided && !wasSubmitted {
		return fmt.Errorf("%w: an expired draft was never submitted and is not decided", ErrInvalidTransition)
	}
	for _, k := range kinds {
		if k == actor {
			return nil
		}
	}
	return fmt.Errorf("%w: %s may not move an application %s → %s", ErrForbidden, actor, from, to)
}

// NextStates returns the states reachable from s in one step, in a fixed order.
func NextStates(s State) []State {
	var out []State
	for _, t := range States() {
		if _, ok := transitions[s][t]; ok {
			out = append(out, t)
		}
	}
	return out
}
