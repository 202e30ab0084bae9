package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
)

// OIDCConfig is the municipality's e-ID broker (OpenID Connect).
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // this site's /login/oidc/callback
	// PersonnummerClaim is the ID token claim holding the person's
	// personnummer (the Swedish OIDC profile's
	// https://id.oidc.se/claim/personalIdentityNumber by default).
	PersonnummerClaim string
	// StaffClaim, if set, is a claim whose value is a staff id: a login
	// whose token carries it is a member of staff.
	StaffClaim string
}

type oidcClient struct {
	cfg      OIDCConfig
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

func newOIDC(ctx context.Context, cfg OIDCConfig) (*oidcClient, error) {
	if cfg.PersonnummerClaim == "" {
		cfg.PersonnummerClaim = "https://id.oidc.se/claim/personalIdentityNumber"
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	return &oidcClient{cfg: cfg, verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"}}}, nil
}

const oidcCookie = "bistand_oidc"

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// oidcStart sends the browser to the e-ID broker with a fresh state and
// nonce, kept in a short-lived cookie.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	if s.oidc == nil {
		s.fail(w, r, errHidden)
		return
	}
	if !s.loginRL.allow(clientKey(r)) {
		s.tooMany(w, r)
		return
	}
	state, nonce := randomString(), randomString()
	next := safeNext(r.URL.Query().Get("next"))
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state + "." + nonce + "." + base64.RawURLEncoding.EncodeToString([]byte(next)),
		Path: "/login/oidc", HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	http.Redirect(w, r, s.oidc.oauth.AuthCodeURL(state, oidc.Nonce(nonce)), http.StatusFound)
}

// oidcCallback checks the broker's answer and logs the person in: staff by
// the staff claim, applicants by their personnummer (which is never logged
// or kept in the session: the session names the person's id).
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if s.oidc == nil {
		s.fail(w, r, errHidden)
		return
	}
	c, err := r.Cookie(oidcCookie)
	parts := strings.Split(func() string {
		if err != nil {
			return ""
		}
		return c.Value
	}(), ".")
	if len(parts) != 3 || r.URL.Query().Get("state") != parts[0] {
		s.fail(w, r, fmt.Errorf("%w: the login did not start here, or took too long; try again", bistand.ErrInvalid))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/login/oidc", MaxAge: -1})
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	tok, err := s.oidc.oauth.Exchange(ctx, r.URL.Query().Get("code"))
	if err != nil {
		s.fail(w, r, fmt.Errorf("%w: the e-ID broker refused the login", bistand.ErrForbidden))
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := s.oidc.verifier.Verify(ctx, raw)
	if err != nil || idt.Nonce != parts[1] {
		s.fail(w, r, fmt.Errorf("%w: the e-ID broker's token could not be verified", bistand.ErrForbidden))
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		s.fail(w, r, err)
		return
	}
	kind, subject, err := s.oidcSubject(r.Context(), claims)
	if errors.Is(err, errNoCase) && !wantsJSON(r) {
		// fail shows only a generic text for ErrForbidden; this refusal
		// must tell the person what to do.
		s.render(w, r, http.StatusForbidden, "error.html", errorPage{Status: http.StatusForbidden, Key: "msg.error.nocase"})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.login(w, r, kind, subject); err != nil {
		s.fail(w, r, err)
		return
	}
	nb, _ := base64.RawURLEncoding.DecodeString(parts[2])
	next := safeNext(string(nb))
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// errNoCase refuses a login whose personnummer is not a known person's.
var errNoCase = fmt.Errorf("%w: du har inget ärende hos oss ännu. Kontakta socialtjänsten för ett första besök", bistand.ErrForbidden)

// oidcSubject maps verified claims to a session: a staff member by the staff
// claim, else a known person by personnummer.
func (s *Server) oidcSubject(ctx context.Context, claims map[string]any) (kind, subject string, err error) {
	if sc := s.oidc.cfg.StaffClaim; sc != "" {
		if id, _ := claims[sc].(string); id != "" {
			st, err := s.cfg.Store.StaffMember(ctx, id)
			if err != nil || !st.Active {
				return "", "", fmt.Errorf("%w: no active staff member for this login", bistand.ErrForbidden)
			}
			return "staff", st.ID, nil
		}
	}
	v, _ := claims[s.oidc.cfg.PersonnummerClaim].(string)
	n, err := personnummer.Parse(v, bistand.DateOf(s.cfg.Now()))
	if err != nil {
		return "", "", fmt.Errorf("%w: the login carried no valid personnummer", bistand.ErrForbidden)
	}
	p, err := s.cfg.Store.PersonByNumber(ctx, n)
	if errors.Is(err, bistand.ErrNotFound) {
		return "", "", errNoCase
	}
	if err != nil {
		return "", "", err
	}
	return KindApplicant, p.ID, nil
}
