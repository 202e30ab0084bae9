package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/bistand/bistand"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// pages are the parsed templates: each page with the layout and the
// partials, per language ("sv/start.html").
type pages struct {
	byName map[string]*template.Template
}

// funcs are the helpers every template has.
var funcs = template.FuncMap{
	"kr":    func(m bistand.Money) string { return formatKronor(m) },
	"date":  func(d bistand.Date) string { return dateString(d) },
	"month": func(m bistand.Month) string { return m.String() },
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(stockholm).Format("2006-01-02 15:04")
	},
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
}

// stockholm is the time zone times are shown in.
var stockholm = func() *time.Location {
	l, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

func dateString(d bistand.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// formatKronor writes an amount the Swedish way: "12 345,50 kr" (whole
// kronor without decimals).
func formatKronor(m bistand.Money) string {
	neg := m < 0
	if neg {
		m = -m
	}
	kr, ore := int64(m)/100, int64(m)%100
	s := fmt.Sprint(kr)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if ore != 0 {
		out += fmt.Sprintf(",%02d", ore)
	}
	if neg {
		out = "−" + out
	}
	return out + "\u00a0kr"
}

// languages are the languages every page is parsed for.
var languages = []string{"sv", "en"}

func loadPages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(templateFS, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		files := append([]string{"templates/layout.html", n}, partials...)
		// Each page once per language, with t bound to it, so that a
		// request only looks its page up.
		for _, lang := range languages {
			t, err := template.New(base).Funcs(funcs).Funcs(template.FuncMap{"t": func(key string, args ...any) string { return tr(lang, key, args...) }}).ParseFS(templateFS, files...)
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", base, err)
			}
			p.byName[lang+"/"+base] = t
		}
	}
	return p, nil
}

// Page is what every template gets: the page's own data in Data, and the
// request's language, user and translations.
type Page struct {
	Lang  string
	User  *Principal
	Path  string
	Demo  bool
	Flash string
	Data  any
}

// T translates a message key into the page's language (fmt arguments).
func (p Page) T(key string, args ...any) string { return tr(p.Lang, key, args...) }

// render writes a page with the layout.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	lang := langOf(r)
	t, ok := s.pages.byName[lang+"/"+name]
	if !ok {
		panic("web: no page " + name)
	}
	page := Page{Lang: lang, User: principal(r), Path: r.URL.Path, Demo: s.cfg.Demo, Data: data, Flash: flashOf(r)}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", page); err != nil {
		s.cfg.Log.Error("render", "page", name, "err", err.Error())
		http.Error(w, "Internt fel / Internal error", http.StatusInternalServerError)
		return
	}
	if flashOf(r) != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

const flashCookie = "bistand_flash"

// redirectFlash redirects after a POST with a message (a key of the
// translations) shown once on the next page.
func redirectFlash(w http.ResponseWriter, r *http.Request, to, key string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: key, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func flashOf(r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil || !strings.HasPrefix(c.Value, "msg.") {
		return ""
	}
	return c.Value
}

const langCookie = "bistand_lang"

// langOf is the request's language: "sv" unless the user chose English.
func langOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
		return "en"
	}
	return "sv"
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if lang != "en" {
		lang = "sv"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600, Secure: s.cfg.SecureCookies})
	next := safeNext(r.URL.Query().Get("next"))
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// wantsJSON reports whether the request is an API call.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// start is the start page: who the service is for, how to log in (the
// demo's logins listed), and the link to the public rules.
func (s *Server) start(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "start.html", loginPage{Demo: s.cfg.Demo, DemoLogins: s.cfg.DemoLogins, OIDC: s.oidc != nil})
}
