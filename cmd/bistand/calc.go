package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/bistand/bistand/rules"
)

// flagSet is a subcommand's flags. It returns errors instead of printing
// them and exiting, so that Main reports a mistake in one line, and shows
// the usage only when asked (-h).
type flagSet struct {
	*flag.FlagSet
	synopsis string
	stderr   io.Writer
}

func newFlagSet(name, synopsis string, stderr io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{fs, synopsis, stderr}
}

// parse parses args, showing the usage for -h.
func (fs *flagSet) parse(args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(fs.stderr, "Usage: bistand %s\n\nFlags:\n", fs.synopsis)
		fs.SetOutput(fs.stderr)
		fs.PrintDefaults()
		return errHelpShown
	}
	return &usageError{fmt.Sprintf("%s: %v (run 'bistand %s -h')", fs.Name(), err, fs.Name())}
}

type calcCmd struct {
	file    string
	format  string
	noTrace bool
	compact bool
}

func parseCalc(args []string, stderr io.Writer) (command, error) {
	c := &calcCmd{}
	fs := newFlagSet("calc", "calc [flags] [FILE|-]\n\nCalculates one household-month given as JSON (docs/calc.md) and prints the result.", stderr)
	fs.StringVar(&c.format, "format", "json", "output format: json or text (a Swedish explanation)")
	fs.BoolVar(&c.noTrace, "no-trace", false, "leave out the explanation lines (json only)")
	fs.BoolVar(&c.compact, "compact", false, "print JSON on one line")
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	switch fs.NArg() {
	case 0:
		c.file = "-"
	case 1:
		c.file = fs.Arg(0)
	default:
		return nil, &usageError{"calc takes at most one FILE"}
	}
	if c.format != "json" && c.format != "text" {
		return nil, &usageError{fmt.Sprintf("calc: unknown format %q (json or text)", c.format)}
	}
	if c.format == "text" && c.noTrace {
		return nil, &usageError{"calc: --no-trace needs --format json"}
	}
	return c, nil
}

func (c *calcCmd) run(_ context.Context, m *Main) error {
	in := m.Stdin
	if c.file != "-" {
		f, err := os.Open(c.file)
		if err != nil {
			return &inputError{err}
		}
		defer f.Close()
		in = f
	}
	h, err := rules.ParseHousehold(in)
	if err != nil {
		return &inputError{err}
	}
	res, err := rules.Default().Calculate(h, rules.Options{Trace: !c.noTrace})
	if err != nil {
		return &inputError{err}
	}
	if c.format == "text" {
		return rules.WriteText(m.Stdout, res)
	}
	return writeJSON(m.Stdout, res, c.compact)
}

func writeJSON(w io.Writer, v any, compact bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if !compact {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type rulesCmd struct {
	format string
}

func parseRules(args []string, stderr io.Writer) (command, error) {
	c := &rulesCmd{}
	fs := newFlagSet("rules", "rules [flags]\n\nPrints every rule, parameter and source with its kind, period and verification status.", stderr)
	fs.StringVar(&c.format, "format", "markdown", "output format: markdown or json")
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, &usageError{"rules takes no arguments"}
	}
	if c.format != "markdown" && c.format != "json" {
		return nil, &usageError{fmt.Sprintf("rules: unknown format %q (markdown or json)", c.format)}
	}
	return c, nil
}

func (c *rulesCmd) run(_ context.Context, m *Main) error {
	d := rules.Default().Data
	if c.format == "json" {
		return d.WriteRegisterJSON(m.Stdout)
	}
	return d.WriteRegisterMarkdown(m.Stdout)
}

type versionCmd struct{}

func (versionCmd) run(_ context.Context, m *Main) error {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	_, err := fmt.Fprintf(m.Stdout, "bistand %s\nrules %s\n", v, rules.Default().Hash)
	return err
}
