package sqlstore

import (
	"context"
	"fmt"
	"strings"
)

// Guards are triggers that make the database itself refuse changes bistand
// never makes, where a CHECK or UNIQUE constraint cannot say it: a payment
// order's status moves only planned → in_file → paid | failed or planned →
// cancelled, its file is set once (when it enters a file) and never
// changed, its payee, account and amount never change, and neither orders
// nor files are ever deleted. So a bug, or a hand-made UPDATE, cannot put an
// order into a second file or back into the queue for one.
//
// Trigger syntax differs between the engines (PostgreSQL needs a function),
// so the guards are not in the goose migrations, which run one SQL text on
// both: they are created after the migrations, under the same lock, if
// missing. A guard changed later gets a new name (…_v2).

// paymentOrderChangeOK is the condition an update of payment_orders must
// meet; %[1]s is the engine's null-safe equality.
const paymentOrderChangeOK = `NEW.id %[1]s OLD.id AND NEW.decision_id %[1]s OLD.decision_id AND NEW.application_id %[1]s OLD.application_id
	AND NEW.case_id %[1]s OLD.case_id AND NEW.person_id %[1]s OLD.person_id AND NEW.payee_name %[1]s OLD.payee_name
	AND NEW.account_kind %[1]s OLD.account_kind AND NEW.account %[1]s OLD.account AND NEW.amount_ore %[1]s OLD.amount_ore
	AND NEW.remittance %[1]s OLD.remittance AND NEW.pay_date %[1]s OLD.pay_date AND NEW.municipality %[1]s OLD.municipality
	AND NEW.created_at %[1]s OLD.created_at
	AND ((OLD.status = 'planned' AND NEW.status = 'in_file' AND OLD.file_id IS NULL AND NEW.file_id IS NOT NULL)
	  OR (OLD.status = 'planned' AND NEW.status = 'cancelled' AND NEW.file_id IS NULL)
	  OR (OLD.status = 'in_file' AND NEW.status IN ('paid', 'failed') AND NEW.file_id %[1]s OLD.file_id))`

// paymentFileChangeOK is the condition an update of payment_files must
// meet: only its status changes, from created.
const paymentFileChangeOK = `NEW.id %[1]s OLD.id AND NEW.municipality %[1]s OLD.municipality AND NEW.pay_date %[1]s OLD.pay_date
	AND NEW.created_at %[1]s OLD.created_at AND NEW.sha256 %[1]s OLD.sha256 AND NEW.n %[1]s OLD.n
	AND NEW.ctrl_sum %[1]s OLD.ctrl_sum AND NEW.content %[1]s OLD.content
	AND ((OLD.status = 'created' AND NEW.status IN ('created', 'rejected', 'settled'))
	  OR (OLD.status = 'rejected' AND NEW.status = 'rejected')
	  OR (OLD.status = 'settled' AND NEW.status = 'settled'))`

const (
	orderGuardMsg = "payment_orders: change refused (an order moves planned → in_file → paid or failed, or planned → cancelled; its file, payee and amount never change; orders are never deleted)"
	fileGuardMsg  = "payment_files: change refused (a file's content never changes and files are never deleted)"
)

type guard struct {
	name, table, cond, msg string
}

var guards = []guard{
	{"payment_orders_guard_v1", "payment_orders", paymentOrderChangeOK, orderGuardMsg},
	{"payment_files_guard_v1", "payment_files", paymentFileChangeOK, fileGuardMsg},
}

// ensureGuards creates the guards that are missing. Run after the
// migrations, under the migration lock.
func (db *DB) ensureGuards(ctx context.Context) error {
	for _, g := range guards {
		var err error
		if db.Engine == SQLite {
			err = db.sqliteGuard(ctx, g)
		} else {
			err = db.postgresGuard(ctx, g)
		}
		if err != nil {
			return fmt.Errorf("guard %s: %w", g.name, err)
		}
	}
	return nil
}

func (db *DB) sqliteGuard(ctx context.Context, g guard) error {
	msg := strings.ReplaceAll(g.msg, "'", "''")
	stmts := []string{
		fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS %s_update BEFORE UPDATE ON %s FOR EACH ROW WHEN NOT (%s) BEGIN SELECT RAISE(ABORT, '%s'); END",
			g.name, g.table, fmt.Sprintf(g.cond, "IS"), msg),
		fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS %s_delete BEFORE DELETE ON %s FOR EACH ROW BEGIN SELECT RAISE(ABORT, '%s'); END",
			g.name, g.table, msg),
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) postgresGuard(ctx context.Context, g guard) error {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_trigger WHERE tgname = $1 AND NOT tgisinternal", g.name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	msg := strings.ReplaceAll(g.msg, "'", "''")
	fn := "bistand_" + g.name
	stmts := []string{
		fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $guard$
BEGIN
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION '%s';
	END IF;
	IF NOT (%s) THEN
		RAISE EXCEPTION '%s';
	END IF;
	RETURN NEW;
END
$guard$`, fn, msg, fmt.Sprintf(g.cond, "IS NOT DISTINCT FROM"), msg),
		fmt.Sprintf("CREATE TRIGGER %s BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s()", g.name, g.table, fn),
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
