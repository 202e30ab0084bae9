package web

// An application's status page: its state in plain words and what happens
// next, the timeline, what the household declared, the signatures (a
// partner signs here), attachments, and the answer to a supplement request.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

type minaStatusView struct {
	ID             string
	CaseID         string
	Month          bistand.Month
	MonthText      string
	State          bistand.State
	StateText      string
	Next           string
	Supplement     bool
	SupplementDue  bistand.Date
	SupplementText string
	CanSign        bool
	Waiting        []string
	Signed         []minaSigned
	Members        []string
	Dwelling       int
	Costs          []minaAmountLine
	Incomes        []minaAmountLine
	Timeline       []minaEvent
	Attachments    []minaAttachmentView
	CanUpload      bool
	Decision       *minaDecisionRef
	MaxUpload      string
	// Form errors and the message typed, when a form is shown again.
	SignErr, UploadErr, SupplementErr string
	Message                           string
}

type minaSigned struct {
	Name string
	At   time.Time
}

type minaAmountLine struct {
	Label, Person string
	Amount        bistand.Money
}

type minaEvent struct {
	At     time.Time
	Text   string
	Who    string
	Reason string
}

type minaAttachmentView struct {
	ID, Filename, URL, Size string
	At                      time.Time
}

// minaStatusData reads what the status page shows.
func (s *Server) minaStatusData(ctx context.Context, lang string, p *Principal, appID string) (minaStatusView, error) {
	var v minaStatusView
	a, err := s.householdApplication(ctx, p, appID)
	if err != nil {
		return v, err
	}
	c, err := s.householdCase(ctx, p, a.CaseID)
	if err != nil {
		return v, err
	}
	people := s.minaPeople(ctx, lang, c, a.ID, a.Month)
	v = minaStatusView{ID: a.ID, CaseID: c.ID, Month: a.Month, MonthText: minaMonthText(lang, a.Month), State: a.State, StateText: minaStateText(lang, a.State),
		Supplement: a.State == bistand.SupplementRequested, SupplementDue: a.SupplementDue, MaxUpload: minaSize(s.cfg.MaxUpload)}
	trs, err := s.cfg.Store.Transitions(ctx, a.ID)
	if err != nil {
		return v, err
	}
	sigs, err := s.cfg.Store.Signatures(ctx, a.ID)
	if err != nil {
		return v, err
	}
	for _, sg := range sigs {
		v.Signed = append(v.Signed, minaSigned{Name: minaName(people, lang, sg.PersonID), At: sg.SignedAt})
	}
	var waiting []string
	if a.State == bistand.Draft {
		ids, err := s.minaWaiting(ctx, c, a.ID)
		if err != nil {
			return v, err
		}
		for _, id := range ids {
			waiting = append(waiting, minaName(people, lang, id))
			if id == p.PersonID {
				v.CanSign = true
			}
		}
	}
	v.Waiting = waiting
	v.Next = minaNext(lang, a, waiting)
	if v.Supplement {
		v.SupplementText = s.minaSupplementText(ctx, a.ID, trs)
	}
	// The application was started (as a draft) before any change of state.
	v.Timeline = append(v.Timeline, minaEvent{At: a.CreatedAt, Text: tr(lang, "mina.event.draft")})
	for _, t := range trs {
		e := minaEvent{At: t.At, Text: tr(lang, "mina.event."+string(t.To))}
		switch t.Actor.Kind {
		case bistand.ActorApplicant:
			e.Who = minaName(people, lang, t.Actor.ID)
		case bistand.ActorRobot:
			e.Who = tr(lang, "mina.who.robot")
		case bistand.ActorCaseworker:
			e.Who = tr(lang, "mina.who.caseworker")
		default:
			e.Who = tr(lang, "mina.who.system")
		}
		switch t.To {
		case bistand.SupplementRequested, bistand.Supplemented, bistand.Withdrawn, bistand.Expired, bistand.RandomCheck:
			e.Reason = sqlstore.RedactPersonnummer(t.Reason)
		}
		v.Timeline = append(v.Timeline, e)
	}
	all, err := s.cfg.Store.Facts(ctx, a.ID)
	if err != nil {
		return v, err
	}
	d, _, _, _ := minaDeclFromFacts(c, all)
	for _, m := range d.Members {
		if m.Included {
			v.Members = append(v.Members, minaName(people, lang, m.PersonID))
		}
	}
	v.Dwelling = d.dwelling()
	for _, t := range rules.CostTypes() {
		if cd, ok := d.Costs[t.String()]; ok && cd.Amount > 0 {
			v.Costs = append(v.Costs, minaAmountLine{Label: tr(lang, "mina.cost."+t.String()), Amount: cd.Amount})
		}
	}
	for _, in := range d.Incomes {
		v.Incomes = append(v.Incomes, minaAmountLine{Label: tr(lang, "mina.income."+in.Type), Person: minaName(people, lang, in.Person), Amount: in.Amount})
	}
	atts, err := s.cfg.Store.Attachments(ctx, a.ID)
	if err != nil {
		return v, err
	}
	for _, at := range atts {
		v.Attachments = append(v.Attachments, minaAttachmentView{ID: at.ID, Filename: at.Filename, Size: minaSize(at.Size), At: at.UploadedAt,
			URL: "/mina/ansokan/" + a.ID + "/bilagor/" + at.ID})
	}
	v.CanUpload = minaCanAttach(a.State)
	if dec, err := s.cfg.Store.CurrentDecision(ctx, a.ID); err == nil {
		v.Decision = &minaDecisionRef{ID: dec.ID, Outcome: dec.Outcome, OutcomeText: tr(lang, "mina.outcome."+string(dec.Outcome)), Amount: dec.Amount}
	} else if !errors.Is(err, bistand.ErrNotFound) {
		return v, err
	}
	return v, nil
}

// minaCanAttach reports whether files may be attached in a state (as the
// store allows).
func minaCanAttach(st bistand.State) bool {
	return st != bistand.Withdrawn && st != bistand.Expired && st != bistand.Paid
}

// minaSize writes a file size for people: "2,4 MB", "830 kB".
func minaSize(n int64) string {
	switch {
	case n >= 1<<20:
		tenths := n * 10 / (1 << 20)
		if tenths%10 == 0 {
			return fmt.Sprintf("%d MB", tenths/10)
		}
		return fmt.Sprintf("%d,%d MB", tenths/10, tenths%10)
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func (s *Server) minaStatus(w http.ResponseWriter, r *http.Request, p *Principal) {
	v, err := s.minaStatusData(r.Context(), langOf(r), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "app_status.html", v)
}

// minaStatusAgain shows the status page again with a form's error.
func (s *Server) minaStatusAgain(w http.ResponseWriter, r *http.Request, p *Principal, status int, set func(*minaStatusView)) {
	v, err := s.minaStatusData(r.Context(), langOf(r), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	set(&v)
	s.render(w, r, status, "app_status.html", v)
}

// minaSign is an adult's signature of a draft; the last one submits it.
func (s *Server) minaSign(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx, lang := r.Context(), langOf(r)
	a, err := s.householdApplication(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("intyg") != "1" {
		s.minaStatusAgain(w, r, p, http.StatusUnprocessableEntity, func(v *minaStatusView) { v.SignErr = tr(lang, "mina.err.intyg") })
		return
	}
	if !s.submRL.allow(clientKey(r)) {
		s.tooMany(w, r)
		return
	}
	a, submitted, err := s.minaSignApp(ctx, p, a)
	if errors.Is(err, bistand.ErrConflict) {
		redirectFlash(w, r, "/mina/ansokan/"+a.ID, "msg.mina.alreadysigned")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	flash := "msg.mina.signed"
	if submitted {
		flash = "msg.mina.submitted"
	}
	redirectFlash(w, r, "/mina/ansokan/"+a.ID, flash)
}

// minaSignApp signs a draft for the person; the last adult's signature
// submits it with the robot's collect step.
func (s *Server) minaSignApp(ctx context.Context, p *Principal, a bistand.Application) (bistand.Application, bool, error) {
	if a.State != bistand.Draft {
		return a, false, fmt.Errorf("%w: the application is %s, not waiting for signatures", bistand.ErrInvalidTransition, a.State)
	}
	got, submitted, err := s.cfg.Store.SignAndSubmit(ctx, p.Actor(), a.ID, s.minaSignature(p, a.CaseID, a.Month),
		func(a bistand.Application) []sqlstore.Job { return []sqlstore.Job{robot.Job(robot.StepCollect, a.ID)} })
	if err != nil {
		return a, false, err
	}
	return got, submitted, nil
}

// --- attachments ---

// minaFormRoom is what a multipart form may hold besides its file.
const minaFormRoom = 64 << 10

// minaAllowedTypes are the attachments accepted, by sniffed content type,
// with the extension a stored name gets.
var minaAllowedTypes = map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

// minaFile is an uploaded file that passed the checks.
type minaFile struct {
	hdr         *multipart.FileHeader
	name, ctype string
}

// minaUploadError is a refused upload: a message key and the status.
type minaUploadError struct {
	Key    string
	Status int
}

func (e *minaUploadError) Error() string { return e.Key }

// minaReadForm reads a multipart form of at most MaxUpload bytes (and a
// little for its fields).
func (s *Server) minaReadForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+minaFormRoom)
	if !minaIsMultipart(r) {
		// A message without files may come as an ordinary form.
		if err := r.ParseForm(); err != nil {
			return &minaUploadError{"mina.err.file.bad", http.StatusBadRequest}
		}
		return nil
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &minaUploadError{"mina.err.file.large", http.StatusRequestEntityTooLarge}
		}
		return &minaUploadError{"mina.err.file.bad", http.StatusBadRequest}
	}
	return nil
}

// minaCheckFiles checks the form's files by their content (never their
// names): PDF, JPEG or PNG, each at most MaxUpload.
func (s *Server) minaCheckFiles(r *http.Request) ([]minaFile, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []minaFile
	for _, h := range r.MultipartForm.File["file"] {
		if h.Size == 0 {
			return nil, &minaUploadError{"mina.err.file.empty", http.StatusBadRequest}
		}
		if h.Size > s.cfg.MaxUpload {
			return nil, &minaUploadError{"mina.err.file.large", http.StatusRequestEntityTooLarge}
		}
		f, err := h.Open()
		if err != nil {
			return nil, err
		}
		head := make([]byte, 512)
		n, err := io.ReadFull(f, head)
		f.Close()
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, err
		}
		ctype, _, _ := strings.Cut(http.DetectContentType(head[:n]), ";")
		if _, ok := minaAllowedTypes[ctype]; !ok {
			return nil, &minaUploadError{"mina.err.file.type", http.StatusUnsupportedMediaType}
		}
		out = append(out, minaFile{hdr: h, ctype: ctype, name: minaSafeFilename(h.Filename, ctype)})
	}
	return out, nil
}

// minaStoreFiles stores checked files as attachments of the application.
func (s *Server) minaStoreFiles(ctx context.Context, p *Principal, appID string, files []minaFile) error {
	for _, f := range files {
		rc, err := f.hdr.Open()
		if err != nil {
			return err
		}
		_, err = s.cfg.Store.AddAttachment(ctx, p.Actor(), appID, f.name, f.ctype, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// minaSafeFilename keeps a file's name without its path and with only
// letters, digits and a few marks, at most 80 characters, ending in the
// extension of its content.
func minaSafeFilename(name, ctype string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	lastSep := false
	for _, r := range name {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' || r == '(' || r == ')'
		if r == ' ' || !ok {
			if !lastSep && b.Len() > 0 {
				b.WriteByte('_')
			}
			lastSep = true
			continue
		}
		b.WriteRune(r)
		lastSep = false
	}
	out := strings.Trim(b.String(), "._-")
	ext := minaAllowedTypes[ctype]
	lower := strings.ToLower(out)
	if strings.HasSuffix(lower, ext) || (ext == ".jpg" && strings.HasSuffix(lower, ".jpeg")) {
		out = out[:strings.LastIndexByte(out, '.')]
	} else if i := strings.LastIndexByte(out, '.'); i > 0 && len(out)-i <= 5 {
		out = out[:i] // another extension: the content decides
	}
	out = strings.Trim(out, "._-")
	for utf8.RuneCountInString(out) > 80 {
		_, size := utf8.DecodeLastRuneInString(out)
		out = out[:len(out)-size]
	}
	if out == "" {
		out = "bilaga"
	}
	return out + ext
}

// minaUpload attaches files to an application.
func (s *Server) minaUpload(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx, lang := r.Context(), langOf(r)
	a, err := s.householdApplication(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.submRL.allow(clientKey(r)) {
		s.tooMany(w, r)
		return
	}
	files, done, err := s.minaUploadFiles(w, r)
	defer done()
	if err == nil && len(files) == 0 {
		err = &minaUploadError{"mina.err.file.none", http.StatusBadRequest}
	}
	var ue *minaUploadError
	if errors.As(err, &ue) {
		s.minaStatusAgain(w, r, p, ue.Status, func(v *minaStatusView) { v.UploadErr = tr(lang, ue.Key) })
		return
	}
	if err == nil {
		err = s.minaStoreFiles(ctx, p, a.ID, files)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirectFlash(w, r, "/mina/ansokan/"+a.ID, "msg.mina.uploaded")
}

// minaUploadFiles reads the request's form and checks its files.
//
// done removes the form's temporary files; the caller defers it (always
// non-nil), after the files are stored.
func (s *Server) minaUploadFiles(w http.ResponseWriter, r *http.Request) (files []minaFile, done func(), err error) {
	done = func() {
		if r.MultipartForm != nil {
			r.MultipartForm.RemoveAll()
		}
	}
	if err := s.minaReadForm(w, r); err != nil {
		return nil, done, err
	}
	files, err = s.minaCheckFiles(r)
	return files, done, err
}

// minaAttachment sends one of the application's attachments.
func (s *Server) minaAttachment(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx := r.Context()
	a, err := s.householdApplication(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sendAttachment(w, r, a.ID, r.PathValue("att"))
}

// sendAttachment sends one of an application's attachments (the caller has
// checked the user may see the application) as a download, never inline;
// its type is sent only if it is one bistand accepts (PDF, PNG, JPEG). An id
// that is not one of the application's attachments is not found.
func (s *Server) sendAttachment(w http.ResponseWriter, r *http.Request, appID, attID string) {
	ctx := r.Context()
	atts, err := s.cfg.Store.Attachments(ctx, appID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, at := range atts {
		if at.ID != attID {
			continue
		}
		rc, err := s.cfg.Store.OpenAttachment(ctx, at)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		defer rc.Close()
		if _, ok := minaAllowedTypes[at.ContentType]; !ok {
			at.ContentType = "application/octet-stream"
		}
		w.Header().Set("Content-Type", at.ContentType)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": at.Filename}))
		w.Header().Set("Content-Length", strconv.FormatInt(at.Size, 10))
		w.Header().Set("Cache-Control", "private, no-store")
		io.Copy(w, rc)
		return
	}
	s.fail(w, r, errHidden)
}

// --- the answer to a supplement request ---

func (s *Server) minaSupplement(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx, lang := r.Context(), langOf(r)
	a, err := s.householdApplication(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if a.State != bistand.SupplementRequested {
		redirectFlash(w, r, "/mina/ansokan/"+a.ID, "msg.mina.nosupplement")
		return
	}
	if !s.submRL.allow(clientKey(r)) {
		s.tooMany(w, r)
		return
	}
	files, done, err := s.minaUploadFiles(w, r)
	defer done()
	message := strings.TrimSpace(r.FormValue("message"))
	if err == nil {
		err = minaCheckAnswer(message, len(files))
	}
	var ue *minaUploadError
	if errors.As(err, &ue) {
		s.minaStatusAgain(w, r, p, ue.Status, func(v *minaStatusView) { v.SupplementErr, v.Message = tr(lang, ue.Key), message })
		return
	}
	if err == nil {
		_, err = s.minaAnswer(ctx, p, a, message, files, nil)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirectFlash(w, r, "/mina/ansokan/"+a.ID, "msg.mina.supplemented")
}

// minaCheckAnswer requires a message, a file or a corrected fact (n
// counts files and facts), and a message of a reasonable length.
func minaCheckAnswer(message string, n int) error {
	if message == "" && n == 0 {
		return &minaUploadError{"mina.err.supplement.empty", http.StatusUnprocessableEntity}
	}
	if len(message) > sqlstore.MaxSupplementMessage {
		return &minaUploadError{"mina.err.supplement.long", http.StatusUnprocessableEntity}
	}
	return nil
}

// minaAnswer stores the files and answers the request with the message
// and the corrected facts: the application moves to supplemented, with
// the robot's collect step to take it on.
func (s *Server) minaAnswer(ctx context.Context, p *Principal, a bistand.Application, message string, files []minaFile, facts []sqlstore.FactInput) (bistand.Application, error) {
	if err := s.minaStoreFiles(ctx, p, a.ID, files); err != nil {
		return a, err
	}
	if message == "" {
		message = fmt.Sprintf("Komplettering med %d bilagor.", len(files))
	}
	return s.cfg.Store.AnswerSupplement(ctx, p.Actor(), a.ID, message, facts, []sqlstore.Job{robot.Job(robot.StepCollect, a.ID)})
}
