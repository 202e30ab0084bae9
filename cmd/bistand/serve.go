package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/population"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/resilience"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/web"
)

// serveCmd runs the whole system: the web application, the robot working
// the queue, the hourly sweep of supplement requests and, without real
// register endpoints, the register simulator in-process with a demo
// municipality's households.
type serveCmd struct {
	addr, data, db string
	regs           registerFlags
	oidc           web.OIDCConfig
	demo           bool
	households     int
	seed           uint64
	secureCookies  bool
	workers        int
	reminderDays   int
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envBool(name string, def bool) bool {
	if v := os.Getenv(name); v != "" {
		b, err := strconv.ParseBool(v)
		if err == nil {
			return b
		}
	}
	return def
}

func parseServe(args []string, stderr io.Writer) (command, error) {
	c := &serveCmd{}
	fs := newFlagSet("serve", "serve [flags]\n\nRuns the whole system: the web application for applicants, caseworkers and robot supervisors, the public rules at /regler, the JSON API, and the robot. Without --ssbtek-url and --navet-url it runs the register simulator in-process and, on an empty database, sets up the demo municipality with synthetic households (demo logins on the start page). Every flag can also be set by the environment variable named in its help.", stderr)
	fs.StringVar(&c.addr, "addr", envOr("BISTAND_ADDR", "127.0.0.1:8080"), "address to listen on (env BISTAND_ADDR)")
	fs.StringVar(&c.data, "data", envOr("BISTAND_DATA", "data"), "directory for the SQLite database and stored files (env BISTAND_DATA)")
	fs.StringVar(&c.db, "db", envOr("BISTAND_DB", ""), "database URL: sqlite:PATH or postgres://… (env BISTAND_DB; default sqlite:DATA/bistand.db)")
	c.regs.flags(fs)
	fs.StringVar(&c.oidc.Issuer, "oidc-issuer", envOr("BISTAND_OIDC_ISSUER", ""), "OpenID Connect issuer URL of the e-ID broker (env BISTAND_OIDC_ISSUER); empty: no e-ID login")
	fs.StringVar(&c.oidc.ClientID, "oidc-client-id", envOr("BISTAND_OIDC_CLIENT_ID", ""), "OIDC client id (env BISTAND_OIDC_CLIENT_ID)")
	fs.StringVar(&c.oidc.ClientSecret, "oidc-client-secret", envOr("BISTAND_OIDC_CLIENT_SECRET", ""), "OIDC client secret (env BISTAND_OIDC_CLIENT_SECRET)")
	fs.StringVar(&c.oidc.RedirectURL, "oidc-redirect-url", envOr("BISTAND_OIDC_REDIRECT_URL", ""), "this site's callback URL, https://HOST/login/oidc/callback (env BISTAND_OIDC_REDIRECT_URL)")
	fs.StringVar(&c.oidc.PersonnummerClaim, "oidc-personnummer-claim", envOr("BISTAND_OIDC_PERSONNUMMER_CLAIM", ""), "ID token claim with the personnummer (env BISTAND_OIDC_PERSONNUMMER_CLAIM; default the Swedish OIDC profile's)")
	fs.StringVar(&c.oidc.StaffClaim, "oidc-staff-claim", envOr("BISTAND_OIDC_STAFF_CLAIM", ""), "ID token claim with a staff id, for staff logins (env BISTAND_OIDC_STAFF_CLAIM)")
	fs.BoolVar(&c.demo, "demo", envBool("BISTAND_DEMO", true), "offer the demo logins, and set up the demo on an empty database when the register simulator runs (env BISTAND_DEMO)")
	fs.IntVar(&c.households, "households", 40, "synthetic households in the demo")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the demo's synthetic population")
	fs.BoolVar(&c.secureCookies, "secure-cookies", envBool("BISTAND_SECURE_COOKIES", false), "mark cookies Secure; set it whenever the site is served over HTTPS (env BISTAND_SECURE_COOKIES)")
	fs.IntVar(&c.workers, "workers", 8, "robot jobs worked at once")
	fs.IntVar(&c.reminderDays, "reminder-days", 3, "days before a supplement request's due date the household is reminded")
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, &usageError{"serve takes no arguments"}
	}
	if c.oidc.Issuer != "" && (c.oidc.ClientID == "" || c.oidc.RedirectURL == "") {
		return nil, &usageError{"serve: --oidc-issuer needs --oidc-client-id and --oidc-redirect-url"}
	}
	if c.db == "" {
		c.db = "sqlite:" + filepath.Join(c.data, "bistand.db")
	}
	return c, nil
}

func (c *serveCmd) run(ctx context.Context, m *Main) error {
	log := slog.New(slog.NewJSONHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := os.MkdirAll(c.data, 0o750); err != nil {
		return err
	}
	blobs := os.Getenv(sqlstore.EnvBlobs)
	if blobs == "" {
		blobs = filepath.Join(c.data, "blobs")
	}
	metrics := &robot.Metrics{}
	r := &robot.Robot{Log: log, Metrics: metrics, PollInterval: c.regs.pollInterval}
	sys, err := openSystemIn(ctx, c.db, blobs, r.Handlers(), queue.Config{Workers: c.workers, Logger: log})
	if err != nil {
		return err
	}
	defer sys.db.Close()
	warnAutovacuum(ctx, sys.db, log)
	r.Store = sys.store

	simulated := c.regs.ssbtekURL == "" && c.regs.navetURL == ""
	var pop *population.Population
	var breakers *resilience.Breakers
	if simulated {
		// The register simulator, in-process on a loopback port.
		pop = population.New(c.seed, c.households)
		simOpt := simOptions{seed: c.seed, households: c.households}
		breakers = &resilience.Breakers{}
		col, stopSim, err := simOpt.inProcess(pop, sys.store, c.regs, &http.Client{Timeout: 30 * time.Second}, breakers)
		if err != nil {
			return err
		}
		defer stopSim()
		r.Collector = col
	} else {
		col, err := c.regs.collector(sys.store)
		if err != nil {
			return err
		}
		if col != nil {
			breakers = col.Breakers
			r.Collector = col
		}
	}

	var logins []web.DemoLogin
	if c.demo && simulated {
		logins, err = setUpDemo(ctx, sys, pop, bistand.DateOf(time.Now()).Month())
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	n, err := r.Resume(ctx, sys.queue)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	if n > 0 {
		log.Info("resumed", "jobs", n)
	}
	if err := sys.queue.Start(ctx); err != nil {
		return err
	}
	go sweepLoop(ctx, r, log, c.reminderDays)

	// The demo (its logins, and the banner saying every person is made up)
	// only ever runs on the simulator's made-up population.
	wcfg := web.Config{Store: sys.store, Queue: sys.queue, Metrics: metrics, Log: log,
		Demo: c.demo && simulated, DemoLogins: logins, SecureCookies: c.secureCookies}
	if breakers != nil {
		wcfg.Registers = breakerHealth{breakers}
	}
	if c.oidc.Issuer != "" {
		o := c.oidc
		wcfg.OIDC = &o
	}
	app, err := web.New(ctx, wcfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(m.Stdout, "bistand serving on http://%s/ (database %s)\n", ln.Addr(), sys.db.Redacted)
	if c.demo && simulated {
		fmt.Fprintf(m.Stdout, "demo logins are on the start page; every person in the demo is made up\n")
	}
	fmt.Fprintf(m.Stdout, "press Ctrl-C to stop\n")

	select {
	case <-ctx.Done():
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	stop, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(stop)
	err = errors.Join(err, sys.queue.Stop(stop))
	fmt.Fprintf(m.Stdout, "bistand stopped\n")
	return err
}

// sweepLoop reminds households of supplement requests due soon and expires
// those past their due date, now and then once an hour.
func sweepLoop(ctx context.Context, r *robot.Robot, log *slog.Logger, reminderDays int) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		res, err := r.Sweep(ctx, bistand.DateOf(time.Now()), reminderDays)
		if err != nil && ctx.Err() == nil {
			log.Warn("sweep", "err", err.Error())
		} else if res.Reminded+res.Expired > 0 {
			log.Info("swept supplement requests", "reminded", res.Reminded, "expired", res.Expired)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// breakerHealth reports each register source's circuit breaker.
type breakerHealth struct{ b *resilience.Breakers }

func (h breakerHealth) Health() []web.SourceHealth {
	var out []web.SourceHealth
	for _, src := range h.b.Keys() {
		st := "ok"
		if h.b.For(src).Open() {
			st = "down"
		}
		out = append(out, web.SourceHealth{Source: src, State: st})
	}
	return out
}
