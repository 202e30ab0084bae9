package main

import (
	"bytes"
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// screenshotDir is where TestScreenshots writes, relative to this package.
const screenshotDir = "../../docs/screenshots"

// TestScreenshots writes full-page screenshots of the main pages at a
// phone's and a desktop's width to docs/screenshots. It runs only with
// -screenshots:
//
//	go test ./cmd/bistand -run TestScreenshots -screenshots
func TestScreenshots(t *testing.T) {
	if !*screenshots {
		t.Skip("writes docs/screenshots only with -screenshots")
	}
	env := newBrowserEnv(t)
	var auto *demoLogin
	for _, l := range env.newTab(t, "visitor").demoLogins() {
		if auto == nil && l.Kind == "applicant" && strings.Contains(l.Note, demoAutoNote) && strings.HasPrefix(l.Note, "1 vuxen") {
			auto = &l
		}
	}
	if auto == nil {
		t.Fatal("the demo has no applicant the robot approves automatically")
	}
	var written []string
	shoot := func(tb *tab, name string) {
		t.Helper()
		for _, v := range viewports {
			tb.setViewport(v)
			// Let the layout settle at the new width.
			time.Sleep(200 * time.Millisecond)
			b, img, err := smallPNG(tb.fullScreenshot(v.width))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			file := fmt.Sprintf("%s-%s.png", name, v.name)
			if err := os.WriteFile(filepath.Join(screenshotDir, file), b, 0o644); err != nil {
				t.Fatal(err)
			}
			written = append(written, file)
			t.Logf("%s: %d×%d, %d kB", file, img.Bounds().Dx(), img.Bounds().Dy(), len(b)/1024)
		}
		tb.setViewport(desktop)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}

	visitor := env.newTab(t, "visitor")
	visitor.open("/", 200)
	shoot(visitor, "start")
	visitor.open("/regler", 200)
	shoot(visitor, "regler")
	visitor.open("/api", 200)
	shoot(visitor, "api")

	app := env.newTab(t, "applicant "+auto.Name)
	app.login(auto.Subject)
	app.open("/mina", 200)
	shoot(app, "mina")
	id, _ := app.apply(func() { shoot(app, "ansokan") })
	app.eventually(60*time.Second, "a decision", func() bool {
		return app.has("#decision-link") || strings.Contains(app.text("#status"), stateRandomCheck)
	})
	if !app.has("#decision-link") {
		cw := env.newTab(t, "caseworker Anna")
		cw.login("hl-anna")
		cw.decide(id, "Stickprov kontrollerat; beviljas enligt beräkningen.")
		app.open("/mina/ansokan/"+id, 200)
	}
	app.click("#decision-link")
	app.eventually(30*time.Second, "the letter", func() bool { return app.has("#letter-link") })
	shoot(app, "beslut")

	anna := env.newTab(t, "caseworker Anna")
	anna.login("hl-anna")
	candidates := anna.queueCandidates()
	shoot(anna, "handlaggning")
	if len(candidates) == 0 {
		t.Fatal("no application with findings in the work queue")
	}
	anna.click(fmt.Sprintf("a.case-link[data-app=%q]", candidates[0]))
	shoot(anna, "arende")

	dana := env.newTab(t, "supervisor Dana")
	dana.login("rs-dana")
	dana.open("/robot", 200)
	shoot(dana, "robot")

	t.Logf("wrote %d screenshots to docs/screenshots: %s", len(written), strings.Join(written, " "))
}

// smallPNG re-encodes a screenshot with the 256 colours it uses most (a
// page is mostly flat colour; the rest is the edges of text), each pixel
// the nearest of them: a third of Chromium's PNG in size and as legible.
func smallPNG(b []byte) ([]byte, image.Image, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, nil, err
	}
	r := img.Bounds()
	rgb := func(x, y int) color.RGBA {
		cr, cg, cb, _ := img.At(x, y).RGBA()
		return color.RGBA{uint8(cr >> 8), uint8(cg >> 8), uint8(cb >> 8), 255}
	}
	counts := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			counts[rgb(x, y)]++
		}
	}
	colours := make([]color.RGBA, 0, len(counts))
	for c := range counts {
		colours = append(colours, c)
	}
	slices.SortFunc(colours, func(a, b color.RGBA) int {
		if n := cmp.Compare(counts[b], counts[a]); n != 0 {
			return n
		}
		return cmp.Compare(uint32(a.R)<<16|uint32(a.G)<<8|uint32(a.B), uint32(b.R)<<16|uint32(b.G)<<8|uint32(b.B))
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range colours[:min(256, len(colours))] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(r, pal)
	index := map[color.RGBA]uint8{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := rgb(x, y)
			i, ok := index[c]
			if !ok {
				i = uint8(pal.Index(c))
				index[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), out, nil
}
