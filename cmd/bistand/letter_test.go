package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/letter"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
	"github.com/bistand/bistand/synth"
)

// TestLetterCommand: `bistand letter` renders a decision's letter from the
// records, stores it and writes it; asked again it writes the stored one;
// an unknown decision is an error.
func TestLetterCommand(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx := context.Background()
		url := sqltest.URL(t, engine)
		t.Setenv(sqlstore.EnvBlobs, t.TempDir()) // PostgreSQL's default is ./data/blobs
		db, err := sqlstore.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := queue.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		st := sqlstore.NewStore(db, sqlstore.Options{})
		q, _ := queue.New(db, nil, queue.Config{})
		st.SetJobs(q)
		// Last month's application was decided by a caseworker, with the
		// names and address the population register gave.
		month := bistand.MustMonth(2026, 11)
		app, err := synth.SubmitHousehold(ctx, st, rand.New(rand.NewPCG(4, 4)), "demo", month, synth.Options{History: true})
		if err != nil {
			t.Fatal(err)
		}
		d, err := st.CaseDecisionFor(ctx, app.CaseID, month.Add(-1))
		if err != nil {
			t.Fatal(err)
		}

		dir := t.TempDir()
		out, html := filepath.Join(dir, "brev.pdf"), filepath.Join(dir, "brev.html")
		code, stdout, stderr := runMain(t, "", "letter", d.ID, "--db", url, "--out", out, "--html", html)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		pdf, err := os.ReadFile(out)
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatalf("%s: %v %.20q", out, err, pdf)
		}
		text := pdftotext(t, out)
		amount := strings.ReplaceAll(letter.FormatKronor(d.Amount), "\u00a0", " ")
		for _, want := range []string{amount, "överklaga", "Testperson 1", "Exempelgatan 1", "handläggare synth-handlaggare"} {
			if !strings.Contains(text, want) {
				t.Errorf("the letter does not say %q:\n%s", want, text)
			}
		}
		if h, err := os.ReadFile(html); err != nil || !strings.Contains(string(h), "överklaga") {
			t.Errorf("%s: %v", html, err)
		}
		if !strings.Contains(stdout, d.ID) {
			t.Errorf("stdout %q", stdout)
		}
		m, err := st.LetterMeta(ctx, d.ID)
		if err != nil || !strings.Contains(stdout, m.PDFSHA256) {
			t.Fatalf("not stored: %v", err)
		}

		// Again: the stored letter, byte for byte, written with the
		// decision id before or after the flags.
		again := filepath.Join(dir, "igen.pdf")
		if code, _, stderr := runMain(t, "", "letter", "--db", url, "--out", again, d.ID); code != 0 {
			t.Fatalf("again: exit %d: %s", code, stderr)
		}
		if b, _ := os.ReadFile(again); !bytes.Equal(b, pdf) {
			t.Error("the letter written again differs")
		}

		code, _, stderr = runMain(t, "", "letter", "dec-nothing", "--db", url, "--out", filepath.Join(dir, "x.pdf"))
		if code != 1 || !strings.Contains(stderr, "unknown decision dec-nothing") {
			t.Errorf("unknown decision: exit %d %s", code, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "x.pdf")); !os.IsNotExist(err) {
			t.Errorf("a file for an unknown decision: %v", err)
		}
		if code, _, _ := runMain(t, "", "letter", d.ID, "--db", url); code != 2 {
			t.Errorf("without --out: exit %d", code)
		}
	})
}

func pdftotext(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian's poppler-utils): %v", err)
	}
	return string(out)
}
