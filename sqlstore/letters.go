package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/letter"
)

// Decision letters. Every decision gets one: recording a decision enqueues
// the letter step (StepLetter) in the same transaction, and the step renders
// the letter (package letter, deterministic) and stores it here. The PDF and
// HTML are kept in the BlobStore by their SHA-256; the letters row, one per
// decision, holds the hashes and is audited.

// StepLetter is the background step that renders, stores and announces a
// decision's letter. Its arguments are LetterArgs.
const StepLetter = "letter"

// LetterArgs are the arguments of the letter step.
type LetterArgs struct {
	DecisionID string `json:"decision_id"`
}

// LetterJob returns the letter step's job for a decision: a background job
// (rendering is CPU work, and a letter may lag its decision).
func LetterJob(decisionID string) Job {
	return Job{Kind: StepLetter, Args: LetterArgs{DecisionID: decisionID}, Background: true}
}

// ErrNoBlobStore: the store was opened without a BlobStore, where letters
// (and attachments) are kept.
var ErrNoBlobStore = errors.New("sqlstore: no blob store")

// MaxLetterBytes bounds one stored letter file.
const MaxLetterBytes = 20 << 20

// LetterMeta describes a stored letter.
type LetterMeta struct {
	DecisionID string
	CaseID     string
	PDFSHA256  string
	HTMLSHA256 string
	PDFSize    int64
	CreatedAt  time.Time
}

// StoreLetter stores a decision's rendered letter. Letters are
// deterministic: storing the same letter again changes nothing, and a
// different letter for a decision that has one is ErrConflict. The robot,
// the system or a caseworker stores letters.
func (s *Store) StoreLetter(ctx context.Context, actor bistand.Actor, decisionID string, r letter.Rendered) error {
	return s.storeLetter(ctx, actor, decisionID, r, nil)
}

// StoreLetterAndNotify stores a decision's letter as StoreLetter does and,
// in the same transaction, puts n in the outbox (as AddNotification) unless
// the application already has a notification of n's Kind and Ref (which
// is required): a step that runs again stores nothing twice and tells once.
func (s *Store) StoreLetterAndNotify(ctx context.Context, actor bistand.Actor, decisionID string, r letter.Rendered, n bistand.Notification) error {
	if err := checkNotification(actor, n); err != nil {
		return err
	}
	if n.Ref == "" {
		return fmt.Errorf("%w: the letter's notification needs a Ref", bistand.ErrInvalid)
	}
	return s.storeLetter(ctx, actor, decisionID, r, &n)
}

func (s *Store) storeLetter(ctx context.Context, actor bistand.Actor, decisionID string, r letter.Rendered, n *bistand.Notification) error {
	switch actor.Kind {
	case bistand.ActorRobot, bistand.ActorSystem, bistand.ActorCaseworker:
	default:
		return fmt.Errorf("%w: %s may not store letters", bistand.ErrForbidden, actor.Kind)
	}
	if s.blobs == nil {
		return ErrNoBlobStore
	}
	if len(r.PDF) == 0 || len(r.HTML) == 0 || sha256Hex(r.PDF) != r.PDFSHA256 || sha256Hex(r.HTML) != r.HTMLSHA256 {
		return fmt.Errorf("%w: a letter is its PDF and HTML with their SHA-256", bistand.ErrInvalid)
	}
	stored := false
	if m, err := s.letterMeta(ctx, decisionID); err == nil {
		if err := sameLetter(m, r); err != nil || n == nil {
			return err
		}
		stored = true
	} else if !errors.Is(err, bistand.ErrNotFound) {
		return err
	}
	if !stored {
		// The bytes first: a crash between the two leaves a blob nothing
		// refers to, never a row without its bytes.
		for _, b := range []struct {
			data []byte
			sha  string
		}{{r.PDF, r.PDFSHA256}, {r.HTML, r.HTMLSHA256}} {
			sha, _, err := s.blobs.Put(ctx, bytes.NewReader(b.data), MaxLetterBytes)
			if err != nil {
				return fmt.Errorf("letter %s: %w", decisionID, err)
			}
			if sha != b.sha {
				return fmt.Errorf("letter %s: the blob store kept %s for %s", decisionID, sha, b.sha)
			}
		}
	}
	err := s.write(ctx, actor, func(w *wtx) error {
		var caseID, appID string
		err := w.QueryRowContext(w.ctx, "SELECT case_id, application_id FROM decisions WHERE id = $1", decisionID).Scan(&caseID, &appID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("decision", decisionID)
		}
		if err != nil {
			return err
		}
		var pdfSHA, htmlSHA string
		err = w.QueryRowContext(w.ctx, "SELECT pdf_sha256, html_sha256 FROM letters WHERE decision_id = $1", decisionID).Scan(&pdfSHA, &htmlSHA)
		switch {
		case err == nil:
			if err := sameLetter(LetterMeta{DecisionID: decisionID, PDFSHA256: pdfSHA, HTMLSHA256: htmlSHA}, r); err != nil {
				return err
			}
		case errors.Is(err, sql.ErrNoRows):
			if err := w.insertRow("letters", caseID, "",
				decisionID, caseID, r.PDFSHA256, r.HTMLSHA256, int64(len(r.PDF)), w.at); err != nil {
				return err
			}
		default:
			return err
		}
		if n == nil {
			return nil
		}
		if n.ApplicationID != appID {
			return fmt.Errorf("%w: the letter's notification is about application %s, the decision about %s", bistand.ErrInvalid, n.ApplicationID, appID)
		}
		var told int
		if err := w.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM notifications WHERE application_id = $1 AND kind = $2 AND ref = $3", appID, n.Kind, n.Ref).Scan(&told); err != nil {
			return err
		}
		if told > 0 {
			return nil
		}
		return w.addNotification(n)
	})
	if errors.Is(err, bistand.ErrConflict) {
		// Stored meanwhile by another run of the step (PostgreSQL: a unique
		// index refused the second insert): the same letter is fine, and
		// that run told the household.
		if m, merr := s.letterMeta(ctx, decisionID); merr == nil {
			return sameLetter(m, r)
		}
	}
	return err
}

func sameLetter(m LetterMeta, r letter.Rendered) error {
	if m.PDFSHA256 != r.PDFSHA256 || m.HTMLSHA256 != r.HTMLSHA256 {
		return fmt.Errorf("%w: decision %s already has another letter (PDF %s, not %s): letters are deterministic, so the records or the program changed",
			bistand.ErrConflict, m.DecisionID, m.PDFSHA256, r.PDFSHA256)
	}
	return nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (s *Store) letterMeta(ctx context.Context, decisionID string) (LetterMeta, error) {
	m := LetterMeta{DecisionID: decisionID}
	var created string
	err := s.r().QueryRowContext(ctx, "SELECT case_id, pdf_sha256, html_sha256, pdf_size, created_at FROM letters WHERE decision_id = $1", decisionID).
		Scan(&m.CaseID, &m.PDFSHA256, &m.HTMLSHA256, &m.PDFSize, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return m, notFound("letter for decision", decisionID)
	}
	m.CreatedAt = parseTime(created)
	return m, err
}

// LetterMeta returns what is stored about a decision's letter, or
// ErrNotFound when it has none yet.
func (s *Store) LetterMeta(ctx context.Context, decisionID string) (LetterMeta, error) {
	return s.letterMeta(ctx, decisionID)
}

// Letter returns a decision's stored letter: what is recorded about it, its
// PDF and its HTML, each checked against its hash. ErrNotFound when the
// decision has no letter yet.
func (s *Store) Letter(ctx context.Context, decisionID string) (LetterMeta, []byte, []byte, error) {
	m, err := s.letterMeta(ctx, decisionID)
	if err != nil {
		return m, nil, nil, err
	}
	if s.blobs == nil {
		return m, nil, nil, ErrNoBlobStore
	}
	read := func(sha string) ([]byte, error) {
		rc, err := s.blobs.Open(ctx, sha)
		if err != nil {
			return nil, fmt.Errorf("letter %s: %w", decisionID, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, MaxLetterBytes+1))
		if err != nil {
			return nil, fmt.Errorf("letter %s: %w", decisionID, err)
		}
		if sha256Hex(b) != sha {
			return nil, fmt.Errorf("letter %s: the stored file does not match its hash %s", decisionID, sha)
		}
		return b, nil
	}
	pdf, err := read(m.PDFSHA256)
	if err != nil {
		return m, nil, nil, err
	}
	html, err := read(m.HTMLSHA256)
	if err != nil {
		return m, nil, nil, err
	}
	return m, pdf, html, nil
}

// LetterCounts counts the decisions and the letters stored for them.
func (s *Store) LetterCounts(ctx context.Context) (decisions, letters int, err error) {
	err = s.r().QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM decisions), (SELECT COUNT(*) FROM letters)").Scan(&decisions, &letters)
	return decisions, letters, err
}

// DecisionsWithoutLetter lists up to limit decisions that have no letter
// yet, oldest first.
func (s *Store) DecisionsWithoutLetter(ctx context.Context, limit int) ([]string, error) {
	return s.r().strings(ctx, `SELECT d.id FROM decisions d WHERE NOT EXISTS (SELECT 1 FROM letters l WHERE l.decision_id = d.id)
		ORDER BY d.id LIMIT $1`, limit)
}

// MonthLetters lists the ids of the decisions for a month that have a
// letter, in order.
func (s *Store) MonthLetters(ctx context.Context, month bistand.Month) ([]string, error) {
	return s.r().strings(ctx, `SELECT l.decision_id FROM letters l JOIN decisions d ON d.id = l.decision_id
		WHERE d.month = $1 ORDER BY l.decision_id`, month.String())
}
