package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

type replayCmd struct {
	db string
	id string
}

func parseReplay(args []string, stderr io.Writer) (command, error) {
	c := &replayCmd{}
	fs := newFlagSet("replay", "replay DECISION_ID [--db URL]\n\nRecomputes a stored decision from its input snapshot with the rules and prints \"identical\" or the difference. Exits 0 only if identical.", stderr)
	db := dbFlag(fs.FlagSet)
	// The id may come before the flags.
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		c.id, args = args[0], args[1:]
	}
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	if c.id == "" && fs.NArg() == 1 {
		c.id = fs.Arg(0)
	} else if fs.NArg() > 0 || c.id == "" {
		return nil, &usageError{"replay takes one DECISION_ID"}
	}
	c.db = *db
	return c, nil
}

var errReplayDiffers = errors.New("replay differs")

func (c *replayCmd) run(ctx context.Context, m *Main) error {
	db, err := sqlstore.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := sqlstore.NewStore(db, sqlstore.Options{}).Decision(ctx, c.id)
	if err != nil {
		return err
	}
	e := rules.Default()
	var notes []string
	if d.RulesVersion != e.Hash {
		notes = append(notes, fmt.Sprintf("rules version differs: the decision used %s, this program has %s", d.RulesVersion, e.Hash))
	}
	h, err := rules.ParseHouseholdBytes(d.Snapshot)
	if err != nil {
		return fmt.Errorf("stored snapshot: %w", err)
	}
	res, err := e.Calculate(h, rules.Options{Trace: true})
	if err != nil {
		return fmt.Errorf("recalculating: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		return err
	}
	got := bytes.TrimSpace(buf.Bytes())
	if bytes.Equal(got, d.Trace) && len(notes) == 0 {
		_, err := fmt.Fprintln(m.Stdout, "identical")
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(m.Stdout, n)
	}
	if !bytes.Equal(got, d.Trace) {
		fmt.Fprintln(m.Stdout, "the recalculation differs from the stored calculation (- stored, + now):")
		diffJSON(m.Stdout, d.Trace, got)
	}
	return errReplayDiffers
}

// diffJSON prints a line diff of two JSON documents, indented.
func diffJSON(w io.Writer, a, b []byte) {
	lines := func(x []byte) []string {
		var buf bytes.Buffer
		if json.Indent(&buf, x, "", "  ") != nil {
			return strings.Split(string(x), "\n")
		}
		return strings.Split(buf.String(), "\n")
	}
	x, y := lines(a), lines(b)
	// Longest common subsequence; the documents are a few hundred lines.
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(w, "+ %s\n", y[j])
			j++
		default:
			fmt.Fprintf(w, "- %s\n", x[i])
			i++
		}
	}
}
