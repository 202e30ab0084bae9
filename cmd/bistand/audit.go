package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/bistand/bistand/sqlstore"
)

// dbFlag adds the --db flag every command that touches data takes.
func dbFlag(fs *flag.FlagSet) *string {
	def := sqlstore.DefaultURL
	if v := os.Getenv("BISTAND_DB"); v != "" {
		def = v
	}
	return fs.String("db", def, "database URL: sqlite:PATH or postgres://… (env BISTAND_DB)")
}

type auditVerifyCmd struct {
	db string
}

func parseAudit(args []string, stderr io.Writer) (command, error) {
	if len(args) == 0 || args[0] != "verify" {
		return nil, &usageError{"audit: want 'bistand audit verify [--db URL]'"}
	}
	c := &auditVerifyCmd{}
	fs := newFlagSet("audit verify", "audit verify [--db URL]\n\nWalks the audit chain and checks every audited row against it. Exits 1 naming the first broken link.", stderr)
	db := dbFlag(fs.FlagSet)
	if err := fs.parse(args[1:]); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, &usageError{"audit verify takes no arguments"}
	}
	c.db = *db
	return c, nil
}

// errAuditBroken is returned when verification finds a broken link.
var errAuditBroken = errors.New("audit verification failed")

func (c *auditVerifyCmd) run(ctx context.Context, m *Main) error {
	db, err := sqlstore.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.Verify(ctx)
	if err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("%w: %s", errAuditBroken, rep.Problem)
	}
	_, err = fmt.Fprintf(m.Stdout, "audit verified: %d events, %d rows; head event %d hash %s\n", rep.Events, rep.Rows, rep.HeadSeq, rep.HeadHash)
	return err
}
