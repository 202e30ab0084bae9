package collect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/collect"
	"github.com/bistand/bistand/navet"
	navetsim "github.com/bistand/bistand/navet/sim"
	"github.com/bistand/bistand/population"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/resilience"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
	"github.com/bistand/bistand/ssbtek"
	ssbteksim "github.com/bistand/bistand/ssbtek/sim"
	"github.com/bistand/bistand/synth"
)

// syncBuffer is a log sink safe for the queue's concurrent workers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var personnummerLike = regexp.MustCompile(`(18|19|20)\d{6}[-+]?\d{4}|\d{6}[-+]\d{4}`)

type world struct {
	st      *sqlstore.Store
	db      *sqlstore.DB
	q       *queue.Queue
	pop     *population.Population
	log     *syncBuffer
	regs    *collect.Registers
	ssbtekN *countingHandler
}

type countingHandler struct {
	h  http.Handler
	mu sync.Mutex
	n  int
}

func (c *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

// newWorld wires a store, a queue and the robot with register collection
// against the simulators over real HTTP.
func newWorld(t *testing.T, engine sqlstore.Engine, households int, sopt ssbteksim.Options, nopt navetsim.Options) *world {
	ctx := context.Background()
	db := sqltest.Open(t, engine)
	if err := queue.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	pop := population.New(42, households)
	if sopt.Now == nil {
		sopt.Now = func() bistand.Date { return bistand.MustDate(2026, 11, 6) }
	}
	ssb := &countingHandler{h: ssbteksim.NewSSBTEK(pop, sopt)}
	ssbSrv := httptest.NewServer(ssb)
	t.Cleanup(ssbSrv.Close)
	navSrv := httptest.NewServer(navetsim.NewNavet(pop, nopt))
	t.Cleanup(navSrv.Close)
	nav, err := navet.NewClient(navet.Config{URL: navSrv.URL, OrgNumber: "2120009994", Purpose: "Handläggning av ekonomiskt bistånd"})
	if err != nil {
		t.Fatal(err)
	}
	// The store's clock stands at the morning collection starts; the
	// robot's runs six hours further at every look, so that polling for
	// data that never comes ends (after PollDays) within the test.
	base := time.Date(2026, 11, 6, 9, 0, 0, 0, time.UTC)
	var ticks atomic.Int64
	robotNow := func() time.Time { return base.Add(time.Duration(ticks.Add(1)) * 6 * time.Hour) }
	st := sqlstore.NewStore(db, sqlstore.Options{Now: func() time.Time { return base }, Blobs: sqlstore.DiskBlobs{Dir: t.TempDir()}})
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	regs := &collect.Registers{
		Store:    st,
		SSBTEK:   ssbtek.NewClient(ssbtek.Config{URL: ssbSrv.URL, OrgNumber: "2120009994", OrgName: "Demoköpings kommun", AktorsID: "demo"}),
		Navet:    nav,
		Backoff:  resilience.Backoff{Attempts: 3, Initial: 5 * time.Millisecond},
		Breakers: &resilience.Breakers{Threshold: 1000},
		Now:      robotNow,
	}
	r := &robot.Robot{Store: st, Log: log, Collector: regs, PollInterval: 50 * time.Millisecond, Now: regs.Now}
	q, err := queue.New(db, r.Handlers(), queue.Config{Workers: 4, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	st.SetJobs(q)
	return &world{st: st, db: db, q: q, pop: pop, log: logs, regs: regs, ssbtekN: ssb}
}

func (w *world) run(t *testing.T, ctx context.Context, apps []bistand.Application) {
	t.Helper()
	if err := w.q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.q.Stop(context.Background())
	for {
		var queued int
		if err := w.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'pending', 'running', 'retryable', 'scheduled')").Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if queued == 0 {
			return
		}
		if ctx.Err() != nil {
			counts, _ := w.st.CountByState(context.Background())
			t.Fatalf("not done: %v", counts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCollectionFromTheSimulator applies with synthetic households, lets
// the robot collect from the simulated registers over HTTP and checks what
// it recorded against what the population says.
func TestCollectionFromTheSimulator(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		w := newWorld(t, engine, 400, ssbteksim.Options{}, navetsim.Options{})
		month := bistand.MustMonth(2026, 11)
		// The first 30 households, and the first of every kind that makes
		// cases interesting.
		picked := []int{}
		for i := range 30 {
			picked = append(picked, i)
		}
		for _, trait := range []func(population.Household) bool{
			func(h population.Household) bool { return h.Members[0].Protected },
			func(h population.Household) bool { return h.Late },
			func(h population.Household) bool { return h.Contradicts },
			func(h population.Household) bool { return h.Varying },
			func(h population.Household) bool { return h.FailsSource != "" },
		} {
			for i := 30; i < w.pop.Size(); i++ {
				if trait(w.pop.Household(i)) {
					picked = append(picked, i)
					break
				}
			}
		}
		n := len(picked)
		var apps []bistand.Application
		for _, i := range picked {
			app, err := synth.SubmitFromPopulation(ctx, w.st, w.pop, collect.DefaultTable(), i, "demo", month, synth.Options{History: true})
			if err != nil {
				t.Fatal(err)
			}
			apps = append(apps, app)
		}
		w.run(t, ctx, apps)

		var registerFacts, protected, contradicting, failing, decided, infoFacts int
		for k, app := range apps {
			i := picked[k]
			h := w.pop.Household(i)
			a, err := w.st.Application(ctx, robot.Actor, app.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a.State != bistand.Assessed && a.State != bistand.Decided && a.State != bistand.RandomCheck {
				t.Errorf("household %d: %s", i, a.State)
			}
			facts, _ := w.st.Facts(ctx, app.ID)
			for _, f := range facts {
				if f.Provenance == bistand.Register {
					registerFacts++
					if f.Source == "" || f.Reference == "" || f.ObservedAt.IsZero() {
						t.Errorf("register fact without provenance: %+v", f)
					}
				}
			}
			found, _ := w.st.Findings(ctx, app.ID, bistand.FindingOpen)
			has := func(k bistand.FindingKind) bool {
				for _, f := range found {
					if f.Kind == k {
						return true
					}
				}
				return false
			}
			if h.Members[0].Protected {
				protected++
				if !has(bistand.FindingProtectedIdentity) || a.State == bistand.Decided {
					t.Errorf("household %d is protected: findings %v, state %s", i, found, a.State)
				}
				p, _ := w.st.PersonByNumber(ctx, h.Members[0].Number)
				if !p.Protected {
					t.Errorf("household %d: protected person not marked", i)
				}
			}
			if h.Contradicts && len(w.pop.Declarations(h, month)) < countRegister(w.pop, h, month) {
				contradicting++
				if !has(bistand.FindingIncomeNotDeclared) {
					t.Errorf("household %d leaves out a register income but no finding says so: %v", i, found)
				}
			}
			if h.FailsSource != "" {
				failing++
				if !has(bistand.FindingSourceError) {
					t.Errorf("household %d: %s fails but no finding says so: %v", i, h.FailsSource, found)
				}
			}
			if a.State == bistand.Decided {
				decided++
				if len(found) > 0 {
					t.Errorf("household %d decided with open findings", i)
				}
				// Its letter is addressed with what Navet said.
				d, err := w.st.CurrentDecision(ctx, app.ID)
				if err != nil {
					t.Fatal(err)
				}
				_, _, html, err := w.st.Letter(ctx, d.ID)
				if err != nil {
					t.Errorf("household %d: decision without a letter: %v", i, err)
				} else if name := h.Members[0].GivenName + " " + h.Members[0].FamilyName; !strings.Contains(string(html), name) || !strings.Contains(string(html), h.Address.Street) {
					t.Errorf("household %d: the letter is not addressed to %s at the registered address", i, name)
				}
			}
			// Names and addresses from Navet, never a protected household's address.
			contacts := 0
			for _, f := range facts {
				if f.Kind != bistand.FactContact {
					continue
				}
				contacts++
				var v sqlstore.ContactValue
				if err := json.Unmarshal(f.Value, &v); err != nil || v.Name == "" {
					t.Errorf("household %d: contact fact %s: %v", i, f.Value, err)
				}
				if h.Members[0].Protected == (len(v.Address) > 0) || strings.Contains(string(f.Value), h.Address.Street) != (len(v.Address) > 0) {
					t.Errorf("household %d (protected %v): contact fact %s", i, h.Members[0].Protected, f.Value)
				}
			}
			if contacts != len(h.Members) {
				t.Errorf("household %d: %d contact facts for %d members", i, contacts, len(h.Members))
			}
			// What else the registers say, as facts for the caseworker.
			if h.FailsSource == "" {
				info := map[string]bool{}
				for _, f := range sqlstore.Effective(facts) {
					info[string(f.Kind)+" "+f.Source] = true
					if strings.HasPrefix(f.Key, "vehicle:") || strings.HasPrefix(f.Key, "benefit_decision:") {
						info[f.Key] = true
					}
				}
				for j, m := range h.Members {
					p, _ := w.st.PersonByNumber(ctx, m.Number)
					for _, v := range m.Vehicles {
						if !info["vehicle:"+p.ID+":"+v.RegNr] {
							t.Errorf("household %d member %d: no fact of vehicle %s", i, j, v.RegNr)
						}
					}
					for _, pay := range w.pop.Payments(h, j, month.Add(-1), month.LastDay()) {
						if pay.Source != population.FK && pay.Source != population.PM {
							continue
						}
						if key := "benefit_decision:" + p.ID + ":" + string(pay.Source) + ":" + pay.Benefit; !info[key] {
							t.Errorf("household %d member %d: no fact %s", i, j, key)
						}
					}
					if m.Permit != nil && !info["permit MIV"] {
						t.Errorf("household %d member %d: no permit fact", i, j)
					}
					if m.CapitalIncome != 0 && !info["tax SKV"] {
						t.Errorf("household %d member %d: no tax fact", i, j)
					}
					if m.Profile == "unemployed" && !info["fund SO"] {
						t.Errorf("household %d member %d: no fund fact", i, j)
					}
					if m.Profile == "student" && !m.Number.IsCoordination() && !info["csn CSN"] {
						t.Errorf("household %d member %d: no csn fact", i, j)
					}
				}
				for k := range info {
					if strings.HasPrefix(k, "benefit_decision ") || strings.HasPrefix(k, "vehicle ") {
						infoFacts++
					}
				}
			}
			// A household that declares what the registers hold gets no
			// finding about it: declarations and register data agree.
			if !h.Contradicts && h.FailsSource == "" {
				for _, f := range found {
					switch f.Kind {
					case bistand.FindingIncomeNotDeclared, bistand.FindingIncomeNotInRegister, bistand.FindingIncomeMismatch, bistand.FindingSourceError:
						t.Errorf("household %d declares truthfully but got %s: %s", i, f.Kind, f.Text)
					}
				}
			}
		}
		t.Logf("%d applications: %d decided by the robot, %d register facts, %d protected, %d contradicting, %d with a failing source; %d SSBTEK calls",
			n, decided, registerFacts, protected, contradicting, failing, w.ssbtekN.n)
		if registerFacts == 0 || decided == 0 || protected == 0 || contradicting == 0 || failing == 0 || infoFacts == 0 {
			t.Error("the households picked did not cover every kind of case")
		}
		for _, line := range strings.Split(w.log.String(), "\n") {
			if personnummerLike.MatchString(line) {
				t.Errorf("a log line carries something like a personnummer: %s", line)
			}
		}
		rep, err := w.db.Verify(ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}

// countRegister counts the incomes the registers hold for household h in
// the calculation month: the payments paid out in the month before month
// (the default basis), and its salaries.
func countRegister(pop *population.Population, h population.Household, month bistand.Month) int {
	n := 0
	prev := month.Add(-1)
	for j := range h.Members {
		for _, mo := range []bistand.Month{prev.Add(-1), prev} {
			for _, p := range pop.Payments(h, j, mo, prev.LastDay()) {
				if p.PaidOn.Month() == prev {
					n++
				}
			}
		}
	}
	for _, m := range h.Members {
		if m.Profile == "salary" {
			n++
		}
	}
	return n
}

// TestFailingRegistersNeverDecideWrongly: with SSBTEK failing often, the
// robot keeps what answered, retries, and never decides a case whose data
// is incomplete.
func TestFailingRegistersNeverDecideWrongly(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		w := newWorld(t, engine, 200, ssbteksim.Options{FailureRate: 300, SourceFailureRate: 200, Seed: 3}, navetsim.Options{FailureRate: 100})
		// Close the polling window at once so the test ends: what did not
		// answer becomes a finding for a person.
		w.regs.Config = collect.DefaultConfig()
		w.regs.Config.PollDays = 0
		month := bistand.MustMonth(2026, 11)
		var apps []bistand.Application
		for i := range 20 {
			app, err := synth.SubmitFromPopulation(ctx, w.st, w.pop, collect.DefaultTable(), i, "demo", month, synth.Options{History: true})
			if err != nil {
				t.Fatal(err)
			}
			apps = append(apps, app)
		}
		w.run(t, ctx, apps)
		sourceErrors := 0
		for _, app := range apps {
			a, _ := w.st.Application(ctx, robot.Actor, app.ID)
			found, _ := w.st.Findings(ctx, app.ID, bistand.FindingOpen)
			for _, f := range found {
				if f.Kind == bistand.FindingSourceError {
					sourceErrors++
				}
			}
			if a.State == bistand.Decided && len(found) > 0 {
				t.Errorf("%s decided with open findings %v", app.ID, found)
			}
		}
		if sourceErrors == 0 {
			t.Error("with 30 % failing calls no source error was recorded: the fault injection did not bite")
		}
		// Every member is fetched once per collection; failed calls were
		// retried, so there are more calls than that.
		members := 0
		for i := range apps {
			members += len(w.pop.Household(i).Members)
		}
		if w.ssbtekN.n <= members {
			t.Errorf("%d SSBTEK calls for %d members: failed calls were not retried", w.ssbtekN.n, members)
		}
		t.Logf("%d source-error findings over %d applications; %d SSBTEK calls (retries included)", sourceErrors, len(apps), w.ssbtekN.n)
	})
}

// The registers' information facts inform the caseworker and leave the
// calculation alone: the household-month the facts describe, and so its
// amount, is the same with and without them.
func TestInformationFactsLeaveTheCalculationAlone(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx := context.Background()
		w := newWorld(t, engine, 50, ssbteksim.Options{}, navetsim.Options{})
		month := bistand.MustMonth(2026, 11)
		app, err := synth.SubmitFromPopulation(ctx, w.st, w.pop, collect.DefaultTable(), 3, "demo", month, synth.Options{})
		if err != nil {
			t.Fatal(err)
		}
		before, snapBefore, err := w.st.Household(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		h := w.pop.Household(3)
		p, _ := w.st.PersonByNumber(ctx, h.Members[0].Number)
		facts := collect.InformationFactsForTest(p.ID, time.Date(2026, 11, 6, 9, 0, 0, 0, time.UTC))
		if len(facts) < 7 {
			t.Fatalf("%d facts", len(facts))
		}
		if _, err := w.st.AddFacts(ctx, robot.Actor, app.ID, facts); err != nil {
			t.Fatalf("the store refuses the registers' information: %v", err)
		}
		after, snapAfter, err := w.st.Household(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(snapBefore, snapAfter) {
			t.Errorf("the household changed:\n%s\n%s", snapBefore, snapAfter)
		}
		if len(before.Incomes) != len(after.Incomes) || len(before.Members) != len(after.Members) {
			t.Error("the household's incomes or members changed")
		}
		all, _ := w.st.Facts(ctx, app.ID)
		n := 0
		for _, f := range all {
			if f.Provenance == bistand.Register {
				n++
			}
		}
		if n != len(facts) {
			t.Errorf("%d register facts recorded, want %d", n, len(facts))
		}
	})
}
