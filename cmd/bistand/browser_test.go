package main

// End-to-end tests in a real browser: the whole program runs in-process
// (`bistand serve` with its demo municipality, the robot and the register
// simulator), headless Chromium drives it through chromedp as people would,
// and axe-core checks every page reached against WCAG 2.1 A and AA at a
// phone's and a desktop's width.
//
// The tests need Chromium (env BISTAND_CHROMIUM, default /usr/bin/chromium;
// Debian package chromium) and axe-core's axe.min.js (env BISTAND_AXE_JS,
// default /tmp/bistand-node/node_modules/axe-core/axe.min.js; npm package
// axe-core). They fail, never skip, without them: .ci/run installs both.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

var screenshots = flag.Bool("screenshots", false, "TestScreenshots: write screenshots of the main pages to docs/screenshots")

const (
	defaultChromium = "/usr/bin/chromium"
	defaultAxeJS    = "/tmp/bistand-node/node_modules/axe-core/axe.min.js"
)

// syncBuffer is a buffer the program writes to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingRE = regexp.MustCompile(`bistand serving on (http://[^/\s]+)/`)

// startBistand runs `bistand serve` in-process on a free loopback port with
// a fresh data directory (SQLite, the demo municipality) and returns its
// base URL once it serves. At cleanup it stops the program as Ctrl-C would
// and checks that it stopped cleanly.
func startBistand(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	m := &Main{Stdin: strings.NewReader(""), Stdout: out, Stderr: errOut}
	exit := make(chan int, 1)
	go func() { exit <- m.Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-exit:
			if code != 0 {
				t.Errorf("bistand serve exited %d; stderr:\n%s", code, errOut.String())
			}
			if !strings.Contains(out.String(), "bistand stopped") {
				t.Errorf("bistand serve did not say it stopped; stdout:\n%s", out.String())
			}
		case <-time.After(60 * time.Second):
			t.Errorf("bistand serve did not stop within 60 s of its context's end")
		}
	})
	start := time.Now()
	deadline := time.After(3 * time.Minute)
	for {
		if m := servingRE.FindStringSubmatch(out.String()); m != nil {
			t.Logf("bistand serving on %s (demo set up in %s)", m[1], time.Since(start).Round(100*time.Millisecond))
			return m[1]
		}
		select {
		case code := <-exit:
			exit <- code
			t.Fatalf("bistand serve exited %d before serving; stdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
		case <-deadline:
			t.Fatalf("bistand serve did not serve within 3 minutes; stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// chromiumPath is the browser the tests drive; the test fails if it is not
// there.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("BISTAND_CHROMIUM")
	if p == "" {
		p = defaultChromium
	}
	if _, err := exec.LookPath(p); err != nil {
		t.Fatalf("no Chromium at %s (%v): install it (Debian: apt-get install chromium) or set BISTAND_CHROMIUM to the browser's path", p, err)
	}
	return p
}

// axeSource is axe-core's axe.min.js; the test fails if it is not there.
func axeSource(t *testing.T) string {
	t.Helper()
	p := os.Getenv("BISTAND_AXE_JS")
	if p == "" {
		p = defaultAxeJS
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("no axe-core at %s (%v): install it (npm install --prefix /tmp/bistand-node axe-core@4) or set BISTAND_AXE_JS to axe.min.js", p, err)
	}
	return string(b)
}

// startBrowser starts headless Chromium with a fresh profile and returns the
// context of its first tab. Without the background networking flags
// Chromium keeps trying to reach Google's services.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("lang", "sv-SE"),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		chromedp.Cancel(ctx)
		cancel()
		cancelAlloc()
	})
	// The first action starts the browser, bound to ctx's lifetime (so not
	// under a timeout's context).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// browserEnv is one program and one browser shared by a test's subtests.
type browserEnv struct {
	base    string
	browser context.Context
	axe     string
	// stats counts what axe checked, for the log.
	mu     sync.Mutex
	checks int
	minor  map[string]int // moderate and minor violations by rule id
}

func newBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	axe := axeSource(t)
	chromiumPath(t) // fail before the demo's set-up if there is no browser
	base := startBistand(t)
	return &browserEnv{base: base, browser: startBrowser(t), axe: axe, minor: map[string]int{}}
}

// tab is one person's browser tab, in a browser context of its own (its own
// cookies: its own login).
type tab struct {
	t   *testing.T
	env *browserEnv
	ctx context.Context
	who string
}

// newTab opens a tab in a fresh browser context.
func (e *browserEnv) newTab(t *testing.T, who string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(e.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first action opens the tab, bound to ctx's lifetime (so not
	// under a timeout's context).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(desktop.width, desktop.height)); err != nil {
		t.Fatalf("%s: opening a tab: %v", who, err)
	}
	return &tab{t: t, env: e, ctx: ctx, who: who}
}

// do runs actions within d, failing the test on an error.
func (tb *tab) do(d time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, d)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v (at %s)", tb.who, err, tb.location())
	}
}

// location is the tab's URL, for messages.
func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return loc
}

// eval evaluates a JavaScript expression in the page.
func evalJS[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("%s: evaluating %q: %v (at %s)", tb.who, expr, err, tb.location())
	}
	return v
}

// has reports whether the page has an element matching a CSS selector,
// without waiting.
func (tb *tab) has(sel string) bool {
	tb.t.Helper()
	return evalJS[bool](tb, fmt.Sprintf("document.querySelector(%s) !== null", jsString(sel)))
}

// count is how many elements match a CSS selector.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	return evalJS[int](tb, fmt.Sprintf("document.querySelectorAll(%s).length", jsString(sel)))
}

// text is the text of the first element matching sel ("" if none).
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return evalJS[string](tb, fmt.Sprintf("(document.querySelector(%s)||{innerText:''}).innerText", jsString(sel)))
}

// attr is an attribute of the first element matching sel ("" if none).
func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	return evalJS[string](tb, fmt.Sprintf("((e) => e ? (e.getAttribute(%s)||'') : '')(document.querySelector(%s))", jsString(name), jsString(sel)))
}

// body is the page's visible text.
func (tb *tab) body() string {
	tb.t.Helper()
	return evalJS[string](tb, "document.body ? document.body.innerText : ''")
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// open navigates to a path and checks the answer's HTTP status.
func (tb *tab) open(path string, status int) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(tb.env.base+path))
	if err != nil {
		tb.t.Fatalf("%s: opening %s: %v", tb.who, path, err)
	}
	tb.checkStatus(resp, status, "GET "+path)
}

func (tb *tab) checkStatus(resp *network.Response, status int, what string) {
	tb.t.Helper()
	if resp == nil {
		tb.t.Fatalf("%s: %s: no response", tb.who, what)
	}
	if int(resp.Status) != status {
		tb.t.Fatalf("%s: %s answered %d %s, want %d (at %s); page:\n%s", tb.who, what, resp.Status, resp.StatusText, status, resp.URL, tb.body())
	}
}

// click clicks the element matching sel and waits for the page it leads to
// (a link or a form's submission and the redirect after it), which must
// answer 200.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.clickStatus(sel, 200)
}

func (tb *tab) clickStatus(sel string, status int) {
	tb.t.Helper()
	if !tb.has(sel) {
		tb.t.Fatalf("%s: no %s to click at %s; page:\n%s", tb.who, sel, tb.location(), tb.body())
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("%s: clicking %s: %v (at %s)", tb.who, sel, err, tb.location())
	}
	tb.checkStatus(resp, status, "click "+sel)
}

// fill sets a form field's value (input, textarea or select).
func (tb *tab) fill(sel, value string) {
	tb.t.Helper()
	if !tb.has(sel) {
		tb.t.Fatalf("%s: no field %s at %s; page:\n%s", tb.who, sel, tb.location(), tb.body())
	}
	tb.do(10*time.Second, chromedp.SetValue(chromedp.CSS(sel), value))
}

// flash is the page's flash message ("" if none).
func (tb *tab) flash() string {
	tb.t.Helper()
	return tb.text(".flash")
}

// login logs in from the start page with the demo login button of subject.
func (tb *tab) login(subject string) {
	tb.t.Helper()
	tb.open("/", 200)
	tb.click(fmt.Sprintf(`button[data-login=%q]`, subject))
	if !tb.has("header.site li.who") {
		tb.t.Fatalf("%s: after logging in as %s the page does not say who is logged in (at %s); page:\n%s", tb.who, subject, tb.location(), tb.body())
	}
}

// viewport is a width and height the pages are checked at.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var (
	phone     = viewport{"phone", 390, 844, true}
	desktop   = viewport{"desktop", 1280, 900, false}
	viewports = []viewport{phone, desktop}
)

func (tb *tab) setViewport(v viewport) {
	tb.t.Helper()
	tb.do(10*time.Second, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: v.width, Height: v.height, DeviceScaleFactor: 1, Mobile: v.mobile})
		return err
	}))
}

// axeViolation is one rule axe found broken, with the elements breaking it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

type axeResult struct {
	Violations []axeViolation `json:"violations"`
	Passes     int            `json:"passes"`
	Incomplete int            `json:"incomplete"`
}

// axeRun runs axe-core on the page (injected first when the page does not
// have it) for WCAG 2.0 and 2.1, levels A and AA; %s is extra options.
const axeRun = `axe.run(document, Object.assign({runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']}, %s))
  .then(r => ({
    violations: r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
      nodes: v.nodes.map(n => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.replace(/\s+/g, ' ') : ''))})),
    passes: r.passes.length, incomplete: r.incomplete.length}))`

// overflowJS lists the elements that stick out of the page's width (so the
// page scrolls sideways) outside any scrolling container: the outermost of
// each, at most five.
const overflowJS = `(() => {
  const w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= w + 1) return [];
  const scrolls = e => getComputedStyle(e).overflowX !== 'visible';
  // Whether a scrolling ancestor clips e: for an absolutely positioned
  // element only one from its containing block up.
  const clipped = e => {
    const pos = getComputedStyle(e).position;
    if (pos === 'fixed') return false;
    let p = e.parentElement;
    if (pos === 'absolute') while (p && p !== document.body && getComputedStyle(p).position === 'static') p = p.parentElement;
    for (; p && p !== document.body; p = p.parentElement) if (scrolls(p)) return true;
    return false;
  };
  const sticks = e => e.getBoundingClientRect().right > w + 1 && !clipped(e);
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '');
  const text = s => (s || '').trim().replace(/\s+/g, ' ').slice(0, 60);
  const out = [];
  for (const e of document.body.querySelectorAll('*')) {
    if (sticks(e) && !(e.parentElement !== document.body && sticks(e.parentElement)))
      out.push(name(e) + ' ends at ' + Math.round(e.getBoundingClientRect().right) + ' px: ' + text(e.innerText));
  }
  // Text that overflows its box (a long word, a hash, an address).
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), r = document.createRange();
  for (let n; (n = walk.nextNode()); ) {
    if (!n.textContent.trim() || scrolls(n.parentElement) || clipped(n.parentElement)) continue;
    r.selectNodeContents(n);
    const right = r.getBoundingClientRect().right;
    if (right > w + 1) out.push('text in ' + name(n.parentElement) + ' ends at ' + Math.round(right) + ' px: ' + text(n.textContent));
  }
  return out.length ? out.slice(0, 5) : ['the page is ' + document.documentElement.scrollWidth + ' px wide'];
})()`

// checkA11y runs axe on the page at a phone's and at a desktop's width and
// fails the test on every serious or critical violation; lesser ones are
// logged. At the phone's width it also checks reflow (WCAG 1.4.10), which
// axe does not. Colour contrast, nine tenths of axe's time on a page of
// tables, is checked at the desktop's width only: no style sheet changes a
// colour by width. The tab is left at the desktop width.
func (tb *tab) checkA11y(name string) {
	tb.t.Helper()
	for _, v := range viewports {
		tb.setViewport(v)
		if !evalJS[bool](tb, "typeof window.axe === 'object'") {
			tb.do(30*time.Second, chromedp.Evaluate[chromedp.Void](tb.env.axe))
		}
		opts := "{}"
		if v.mobile {
			opts = "{rules: {'color-contrast': {enabled: false}}}"
		}
		ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Minute)
		res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](fmt.Sprintf(axeRun, opts), chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			tb.t.Fatalf("%s: axe on %s (%s): %v", tb.who, name, v.name, err)
		}
		tb.env.mu.Lock()
		tb.env.checks++
		for _, x := range res.Violations {
			if x.Impact != "serious" && x.Impact != "critical" {
				tb.env.minor[x.ID]++
			}
		}
		tb.env.mu.Unlock()
		var bad []string
		for _, x := range res.Violations {
			line := fmt.Sprintf("%s (%s): %s\n      %s", x.ID, x.Impact, x.Help, strings.Join(x.Nodes, "\n      "))
			if x.Impact == "serious" || x.Impact == "critical" {
				bad = append(bad, line)
			} else {
				tb.t.Logf("axe, %s at %s width (%s): %s", name, v.name, x.Impact, line)
			}
		}
		if v.mobile {
			// WCAG 2.1 1.4.10 (reflow), which axe does not check: at a
			// phone's width nothing but a scrolling container (a wide
			// table's) may make the page scroll sideways.
			if wide := evalJS[[]string](tb, overflowJS); len(wide) > 0 {
				tb.t.Errorf("reflow: %s (%s) scrolls sideways at %s width (%d px; WCAG 2.1 1.4.10):\n  %s", name, tb.location(), v.name, v.width, strings.Join(wide, "\n  "))
			}
		}
		if len(bad) > 0 {
			tb.t.Errorf("axe: %s (%s) at %s width (%d px) breaks WCAG 2.1 AA:\n  %s", name, tb.location(), v.name, v.width, strings.Join(bad, "\n  "))
		}
	}
	tb.setViewport(desktop)
}

// eventually polls cond, reloading the page between tries, until it holds
// or the time is up.
func (tb *tab) eventually(d time.Duration, what string, cond func() bool) {
	tb.t.Helper()
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("%s: %s did not happen within %s (at %s); page:\n%s", tb.who, what, d, tb.location(), tb.body())
		}
		time.Sleep(500 * time.Millisecond)
		ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
		_, err := chromedp.RunResponse(ctx, chromedp.Reload())
		cancel()
		if err != nil {
			tb.t.Fatalf("%s: reload: %v", tb.who, err)
		}
	}
}

// fullScreenshot is a PNG of the whole page's height (not just the
// viewport's) at the given width, the tab's viewport's (what is on the
// screen, also when something makes the page scroll sideways).
func (tb *tab) fullScreenshot(width int64) []byte {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		if m.CSSContentSize == nil {
			return nil, errors.New("no content size")
		}
		w, h := float64(width), m.CSSContentSize.Height
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{Width: w, Height: h, Scale: 1},
			CaptureBeyondViewport: new(true),
			FromSurface:           new(true),
		})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	})
	if err != nil {
		tb.t.Fatalf("%s: screenshot: %v", tb.who, err)
	}
	return png
}

// fetch gets a path with the tab's cookies (outside the page: the pages'
// content security policy allows no fetch) and returns the status, the
// media type and the body.
func (tb *tab) fetch(path string) (int, string, []byte) {
	tb.t.Helper()
	u, err := url.Parse(tb.env.base)
	if err != nil {
		tb.t.Fatal(err)
	}
	ref, err := url.Parse(path)
	if err != nil {
		tb.t.Fatalf("%s: link %q: %v", tb.who, path, err)
	}
	u = u.ResolveReference(ref)
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{u.String()}})
	if err != nil {
		tb.t.Fatalf("%s: cookies: %v", tb.who, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		tb.t.Fatal(err)
	}
	for _, c := range cookies.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.t.Fatalf("%s: GET %s: %v", tb.who, u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.t.Fatalf("%s: GET %s: %v", tb.who, u, err)
	}
	ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return resp.StatusCode, ctype, body
}

// TestBrowser runs the program and walks through it in Chromium: the public
// pages, then each person's flow; axe checks every page on the way.
func TestBrowser(t *testing.T) {
	began := time.Now()
	env := newBrowserEnv(t)
	// The applicants: one whose unchanged application the robot grants
	// (the demo's note says so, demoNote), and another applicant of one
	// adult, who can send an application alone.
	var auto, other *demoLogin
	for _, l := range env.newTab(t, "visitor").demoLogins() {
		switch {
		case l.Kind != "applicant" || !strings.HasPrefix(l.Note, "1 vuxen"):
		case auto == nil && strings.Contains(l.Note, demoAutoNote):
			auto = &l
		case other == nil:
			other = &l
		}
	}
	if auto == nil || other == nil {
		t.Fatalf("the demo has no applicant the robot approves automatically (%v) or no second applicant of one adult (%v)", auto, other)
	}
	// Anna's queue before the flows add to it: the caseworker flow decides
	// one of the applications there.
	anna := env.newTab(t, "caseworker Anna")
	anna.login("hl-anna")
	candidates := anna.queueCandidates()
	// The flows in parallel, each in its own tabs (logins), then the
	// supervisor's: a pause leaves every application to a person while it
	// lasts.
	//
	// t.Run in goroutines, not t.Parallel: -parallel (GOMAXPROCS by
	// default) would hold the flows to two at a time, and they mostly wait
	// for the robot and the browser.
	t.Run("flows", func(t *testing.T) {
		flows := map[string]func(t *testing.T){
			"public": func(t *testing.T) { browserPublic(t, env) },
			"apply":  func(t *testing.T) { browserApply(t, env, *auto) },
			"caseworker": func(t *testing.T) {
				anna.t = t
				browserCaseworker(t, anna, candidates)
			},
			"supplement": func(t *testing.T) { browserSupplement(t, env, *other) },
		}
		var wg sync.WaitGroup
		for name, f := range flows {
			wg.Go(func() { t.Run(name, f) })
		}
		wg.Wait()
	})
	t.Run("supervisor", func(t *testing.T) { browserSupervisor(t, env) })
	t.Logf("axe ran %d times (each page at %d widths); moderate or minor violations by rule: %v; took %s",
		env.checks, len(viewports), env.minor, time.Since(began).Round(100*time.Millisecond))
}

// browserPublic: the pages anyone can reach without logging in.
func browserPublic(t *testing.T, env *browserEnv) {
	tb := env.newTab(t, "visitor")
	tb.open("/", 200)
	if n := tb.count("h1"); n != 1 {
		t.Errorf("start page has %d h1, want 1", n)
	}
	if tb.count("button[data-login]") == 0 {
		t.Errorf("start page lists no demo logins")
	}
	tb.checkA11y("start page")
	tb.open("/login", 200)
	tb.checkA11y("/login")
	tb.open("/finns-inte", 404)
	if !tb.has("h1") {
		t.Errorf("404 page has no h1")
	}
	tb.checkA11y("404 page")
	tb.open("/regler", 200)
	tb.checkA11y("/regler")
	if href := evalJS[string](tb, `(document.querySelector('main a[href^="/regler/"]') || {}).pathname || ''`); href != "" {
		tb.open(href, 200)
		tb.checkA11y("a rule's page " + href)
	} else {
		t.Errorf("/regler links to no rule's page")
	}
	tb.open("/api", 200)
	tb.checkA11y("/api")
	// English.
	tb.open("/", 200)
	tb.click("a.lang")
	if lang := tb.attr("html", "lang"); lang != "en" {
		t.Errorf("after choosing English the page's lang is %q", lang)
	}
	tb.checkA11y("start page in English")
	tb.click("a.lang")
	if lang := tb.attr("html", "lang"); lang != "sv" {
		t.Errorf("after choosing Swedish again the page's lang is %q", lang)
	}
}
