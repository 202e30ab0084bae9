package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/letters"
	"github.com/bistand/bistand/sqlstore"
)

type letterCmd struct {
	db, id, out, html string
}

func parseLetter(args []string, stderr io.Writer) (command, error) {
	c := &letterCmd{}
	fs := newFlagSet("letter", "letter DECISION_ID --out FILE.pdf [--db URL] [--html FILE.html]\n\nWrites a decision's letter (beslutsbrev) as PDF, and as HTML with --html. The stored letter is written; a decision without one yet gets it rendered from the records and stored first. Letters and attachments are kept under BISTAND_BLOBS (default: beside a SQLite database, ./data/blobs for PostgreSQL).", stderr)
	db := dbFlag(fs.FlagSet)
	fs.StringVar(&c.out, "out", "", "the PDF file to write (required)")
	fs.StringVar(&c.html, "html", "", "also write the HTML version to this file")
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
		return nil, &usageError{"letter takes one DECISION_ID"}
	}
	if c.out == "" {
		return nil, &usageError{"letter: --out FILE.pdf is required"}
	}
	c.db = *db
	return c, nil
}

func (c *letterCmd) run(ctx context.Context, m *Main) error {
	db, err := sqlstore.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	st := sqlstore.NewStore(db, sqlstore.Options{Blobs: sqlstore.DiskBlobs{Dir: db.BlobDir()}})
	meta, pdf, html, err := letters.Ensure(ctx, st, c.id)
	switch {
	case errors.Is(err, bistand.ErrNotFound) && !errors.Is(err, letters.ErrNoRecipient):
		if _, derr := st.Decision(ctx, c.id); errors.Is(derr, bistand.ErrNotFound) {
			return fmt.Errorf("letter: okänt beslut / unknown decision %s", c.id)
		}
		return fmt.Errorf("letter: %w", err)
	case err != nil:
		return fmt.Errorf("letter: %w", err)
	}
	if err := writeLetterFile(c.out, pdf); err != nil {
		return err
	}
	if c.html != "" {
		if err := writeLetterFile(c.html, html); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(m.Stdout, "%s: beslutsbrev för %s (%d bytes, sha256 %s)\n", c.out, meta.DecisionID, len(pdf), meta.PDFSHA256)
	return err
}

// writeLetterFile writes b to path through a temporary file in the same
// directory, so that path never holds half a file.
func writeLetterFile(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".bistand-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o640); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
