// Command bistand handles ekonomiskt bistånd (försörjningsstöd): it
// calculates the need of a household-month by open, dated and sourced rules,
// and explains every krona.
//
//	bistand                      run the whole system on its embedded default (serve)
//	bistand serve [flags]        the web application, the robot, the demo
//	bistand example              explain an example household
//	bistand calc [FILE|-]        calculate one JSON household-month and print JSON
//	bistand rules                print the rule register
//	bistand version              print the program and rule versions
//
// Tests run the whole program in-process through Main.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	code := m.Main(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Main is the whole program with its standard streams, so that tests can run
// it in-process exactly as the binary runs.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer

	cmd command
}

// command is one subcommand after its flags are parsed.
type command interface {
	run(ctx context.Context, m *Main) error
}

// NewMain returns a Main wired to the process's standard streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
}

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// inputError is invalid input data (exit status 1, one line on stderr).
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

const usage = `bistand — ekonomiskt bistånd by open rules

Usage:
  bistand                         run the whole system on its embedded default (same as serve)
  bistand serve [flags]           the web application, the robot and (demo) the register simulator
  bistand example                 explain an example household
  bistand calc [flags] [FILE|-]   calculate one JSON household-month (docs/calc.md)
  bistand rules [flags]           print the rule register (docs/rules.md)
  bistand work [--db URL]         work the background jobs (the robot) until interrupted
  bistand sim [--addr HOST:PORT]  serve the register simulator (SSBTEK and Navet)
  bistand batch --households N    run a month for N synthetic households end to end
  bistand replay DECISION_ID      recompute a stored decision and compare
  bistand letter DECISION_ID --out FILE.pdf  write a decision's letter (PDF; --html too)
  bistand pay --date D --out F    write the payment file (pain.001) for a pay date
  bistand pay-status FILE.xml     import the bank's payment status report (pain.002)
  bistand audit verify [--db URL] verify the audit chain and every audited row
  bistand version                 print the program and rule versions
  bistand help                    show this help

Run 'bistand COMMAND -h' for a command's flags.
`

// ParseFlags chooses the subcommand and parses its flags.
func (m *Main) ParseFlags(args []string) error {
	name := ""
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	var err error
	switch name {
	case "", "serve":
		m.cmd, err = parseServe(args, m.Stderr)
	case "example":
		m.cmd = &demoCmd{}
	case "calc":
		m.cmd, err = parseCalc(args, m.Stderr)
	case "rules":
		m.cmd, err = parseRules(args, m.Stderr)
	case "batch":
		m.cmd, err = parseBatch(args, m.Stderr)
	case "replay":
		m.cmd, err = parseReplay(args, m.Stderr)
	case "letter":
		m.cmd, err = parseLetter(args, m.Stderr)
	case "pay":
		m.cmd, err = parsePay(args, m.Stderr)
	case "pay-status":
		m.cmd, err = parsePayStatus(args, m.Stderr)
	case "sim":
		m.cmd, err = parseSim(args, m.Stderr)
	case "work":
		m.cmd, err = parseWork(args, m.Stderr)
	case "audit":
		m.cmd, err = parseAudit(args, m.Stderr)
	case "version":
		m.cmd = &versionCmd{}
	case "help", "-h", "-help", "--help":
		m.cmd = &helpCmd{}
	default:
		return &usageError{fmt.Sprintf("unknown command %q; run 'bistand help'", name)}
	}
	return err
}

// Run runs the parsed command.
func (m *Main) Run(ctx context.Context) error {
	if m.cmd == nil {
		return errors.New("bistand: Run before ParseFlags")
	}
	return m.cmd.run(ctx, m)
}

// Close releases what Run opened. Nothing yet; kept so tests and later
// long-running commands share one lifecycle.
func (m *Main) Close() error { return nil }

// Main parses, runs and closes, reports errors on Stderr and returns the
// exit status: 0 success, 1 invalid input or failure, 2 usage error.
func (m *Main) Main(ctx context.Context, args []string) int {
	err := m.ParseFlags(args)
	if err == nil {
		err = m.Run(ctx)
		if cerr := m.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, errHelpShown) {
		return 0
	}
	if errors.Is(err, errReplayDiffers) {
		return 1 // the difference is on standard output
	}
	fmt.Fprintf(m.Stderr, "bistand: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

var errHelpShown = errors.New("help shown")

type helpCmd struct{}

func (helpCmd) run(_ context.Context, m *Main) error {
	_, err := io.WriteString(m.Stdout, usage)
	return err
}
