package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/collect"
	"github.com/bistand/bistand/navet"
	navetsim "github.com/bistand/bistand/navet/sim"
	"github.com/bistand/bistand/population"
	"github.com/bistand/bistand/resilience"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/ssbtek"
	ssbteksim "github.com/bistand/bistand/ssbtek/sim"
)

// simOptions configure the register simulator.
type simOptions struct {
	seed       uint64
	households int
	latency    time.Duration
	failure    int // per mille of whole requests
	sourceFail int // per mille of SSBTEK sources
	today      string
}

func (o *simOptions) flags(fs *flagSet) {
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the synthetic population")
	fs.IntVar(&o.households, "households", 10000, "households in the synthetic population")
	fs.DurationVar(&o.latency, "latency", 0, "added to every answer")
	fs.IntVar(&o.failure, "failure-rate", 0, "per mille of requests failing as a whole")
	fs.IntVar(&o.sourceFail, "source-failure-rate", 0, "per mille of SSBTEK sources answering with an error")
	fs.StringVar(&o.today, "today", "", "the registers' date YYYY-MM-DD (default: today): later payments are not there yet")
}

// handler returns the simulator's routes: POST /ssbtek and POST /navet.
func (o *simOptions) handler() (http.Handler, error) {
	return o.handlerFor(population.New(o.seed, o.households))
}

// handlerFor serves a given population.
func (o *simOptions) handlerFor(pop *population.Population) (http.Handler, error) {
	now := func() bistand.Date { return bistand.DateOf(time.Now()) }
	if o.today != "" {
		d, err := bistand.ParseDate(o.today)
		if err != nil {
			return nil, &usageError{"sim: --today: " + err.Error()}
		}
		now = func() bistand.Date { return d }
	}
	mux := http.NewServeMux()
	mux.Handle("POST /ssbtek", ssbteksim.NewSSBTEK(pop, ssbteksim.Options{Now: now, Latency: o.latency, FailureRate: o.failure, SourceFailureRate: o.sourceFail, Seed: o.seed}))
	mux.Handle("POST /navet", navetsim.NewNavet(pop, navetsim.Options{Latency: o.latency, FailureRate: o.failure}))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "bistand register simulator: POST /ssbtek (SSBTEK v10 SOAP), POST /navet; %d synthetic households, seed %d\n", o.households, o.seed)
	})
	return mux, nil
}

type simCmd struct {
	addr string
	opt  simOptions
}

func parseSim(args []string, stderr io.Writer) (command, error) {
	c := &simCmd{}
	fs := newFlagSet("sim", "sim [--addr HOST:PORT] [--seed N] [flags]\n\nServes the register simulator: SSBTEK at POST /ssbtek and Navet at POST /navet, over HTTP, from a deterministic synthetic population.", stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8081", "address to listen on")
	c.opt.flags(fs)
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, &usageError{"sim takes no arguments"}
	}
	return c, nil
}

func (c *simCmd) run(ctx context.Context, m *Main) error {
	h, err := c.opt.handler()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(m.Stderr, nil))
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(m.Stdout, "register simulator on http://%s (SSBTEK: /ssbtek, Navet: /navet)\n", ln.Addr())
	log.Info("simulating", "addr", ln.Addr().String(), "households", c.opt.households, "seed", c.opt.seed)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(stop); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// inProcess serves the simulator for pop on a loopback port and returns a
// register collector over it that asks as regs' municipality, and a
// function that stops the simulator. Everything the simulator will ever
// have is there at the first collection, so what has not come is a finding
// at once (PollDays 0).
func (o *simOptions) inProcess(pop *population.Population, st *sqlstore.Store, regs registerFlags, hc *http.Client, breakers *resilience.Breakers) (*collect.Registers, func(), error) {
	h, err := o.handlerFor(pop)
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	base := "http://" + ln.Addr().String()
	nav, err := navet.NewClient(navet.Config{URL: base + "/navet", HTTPClient: hc, OrgNumber: regs.orgNumber, Purpose: "Handläggning av ekonomiskt bistånd"})
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	cfg := collect.DefaultConfig()
	cfg.PollDays = 0
	col := &collect.Registers{Store: st, Config: cfg, Breakers: breakers,
		SSBTEK: ssbtek.NewClient(ssbtek.Config{URL: base + "/ssbtek", HTTPClient: hc, OrgNumber: regs.orgNumber, OrgName: regs.orgName, AktorsID: regs.aktorsID}),
		Navet:  nav}
	return col, func() { srv.Close() }, nil
}

// demoRegisters is the municipality the simulated registers are asked as.
var demoRegisters = registerFlags{orgNumber: "2120009994", orgName: "Demoköpings kommun", aktorsID: "demo"}
