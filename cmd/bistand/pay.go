package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
)

// payActor is who makes payment files and imports status reports.
var payActor = bistand.Actor{Kind: bistand.ActorSystem, ID: "bistand-pay"}

// The crash tests' failpoint (docs/payments.md): with BISTAND_TEST_FAILPOINT
// set to a point of sqlstore's PaymentFile ("payment-file:built": the file
// made and its orders marked, not committed; "payment-file:committed"), the
// pay command stops there: it exits at once with status 97, or, with
// BISTAND_TEST_FAILPOINT_ACTION=hang, says "failpoint POINT reached" on
// standard error and waits to be killed. For tests only; unset, nothing
// happens.
const (
	envFailpoint       = "BISTAND_TEST_FAILPOINT"
	envFailpointAction = "BISTAND_TEST_FAILPOINT_ACTION"
	failpointExit      = 97
)

func failpointFromEnv(stderr io.Writer) func(string) error {
	point := os.Getenv(envFailpoint)
	if point == "" {
		return nil
	}
	hang := os.Getenv(envFailpointAction) == "hang"
	return func(p string) error {
		if p != point {
			return nil
		}
		if hang {
			fmt.Fprintf(stderr, "failpoint %s reached\n", p)
			select {}
		}
		os.Exit(failpointExit)
		return nil
	}
}

type payCmd struct {
	db, out, municipality string
	date                  bistand.Date
}

func parsePay(args []string, stderr io.Writer) (command, error) {
	c := &payCmd{}
	fs := newFlagSet("pay", "pay --date YYYY-MM-DD --out FILE.xml [--db URL] [--municipality ID]\n\nWrites the municipality's payment file (ISO 20022 pain.001.001.10) for a pay date: made once, with every payment order planned for that date or earlier, and the same file, byte for byte, every time after. Prints one line of JSON.", stderr)
	db := dbFlag(fs.FlagSet)
	date := fs.String("date", "", "the pay date (YYYY-MM-DD)")
	fs.StringVar(&c.out, "out", "", "where to write the file")
	fs.StringVar(&c.municipality, "municipality", "demo", "the paying municipality")
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 || c.out == "" || *date == "" {
		return nil, &usageError{"pay: --date and --out are required, and there are no arguments"}
	}
	d, err := bistand.ParseDate(*date)
	if err != nil {
		return nil, &usageError{"pay: --date: " + err.Error()}
	}
	c.db, c.date = *db, d
	return c, nil
}

// paySummary is what `bistand pay` prints (and batch reports per file).
type paySummary struct {
	File         string `json:"file"` // the MsgId; "" when there was nothing to pay
	Municipality string `json:"municipality"`
	Date         string `json:"date"`
	Orders       int    `json:"orders"`
	Sum          string `json:"sum"` // kronor, two decimals
	SHA256       string `json:"sha256,omitempty"`
	Created      bool   `json:"created"` // made now (false: it existed, and is the same file)
	Out          string `json:"out,omitempty"`
}

func (c *payCmd) run(ctx context.Context, m *Main) error {
	db, err := sqlstore.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	st := sqlstore.NewStore(db, sqlstore.Options{Failpoint: failpointFromEnv(m.Stderr)})
	sum, err := payFile(ctx, st, c.municipality, c.date, time.Now(), c.out)
	if err != nil {
		return err
	}
	return writeJSON(m.Stdout, sum, true)
}

// payFile makes (or finds) the municipality's file for date and writes it
// to out. With nothing to pay it writes nothing and says so.
func payFile(ctx context.Context, st *sqlstore.Store, municipality string, date bistand.Date, now time.Time, out string) (paySummary, error) {
	sum := paySummary{Municipality: municipality, Date: date.String(), Sum: bistand.Money(0).Decimal()}
	f, created, err := st.PaymentFile(ctx, payActor, municipality, date, now)
	if errors.Is(err, sqlstore.ErrNothingToPay) {
		return sum, nil
	}
	if err != nil {
		return sum, err
	}
	if err := writeFileAtomic(out, f.Content); err != nil {
		return sum, err
	}
	sum.File, sum.Orders, sum.Sum, sum.SHA256, sum.Created, sum.Out = f.ID, f.Orders, f.Sum.Decimal(), f.SHA256, created, out
	return sum, nil
}

// writeFileAtomic writes b to path through a temporary file in the same
// directory, synced and renamed: a crash leaves the old file or the new one,
// never half of one.
func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

type payStatusCmd struct {
	db, file string
}

func parsePayStatus(args []string, stderr io.Writer) (command, error) {
	c := &payStatusCmd{}
	fs := newFlagSet("pay-status", "pay-status FILE.xml [--db URL]\n\nImports a bank's payment status report (ISO 20022 pain.002.001.11; - reads standard input): settled orders become paid, rejected ones failed with a finding for a caseworker. Importing a report twice changes nothing. Prints one line of JSON.", stderr)
	db := dbFlag(fs.FlagSet)
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") || len(args) > 0 && args[0] == "-" {
		c.file, args = args[0], args[1:]
	}
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	if c.file == "" && fs.NArg() == 1 {
		c.file = fs.Arg(0)
	} else if fs.NArg() > 0 || c.file == "" {
		return nil, &usageError{"pay-status takes one FILE.xml"}
	}
	c.db = *db
	return c, nil
}

func (c *payStatusCmd) run(ctx context.Context, m *Main) error {
	var r io.Reader = m.Stdin
	if c.file != "-" {
		f, err := os.Open(c.file)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	db, err := sqlstore.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := sqlstore.NewStore(db, sqlstore.Options{}).ImportPaymentStatus(ctx, payActor, r)
	if err != nil {
		if errors.Is(err, bistand.ErrInvalid) {
			return &inputError{err}
		}
		return err
	}
	return writeJSON(m.Stdout, sum, true)
}
