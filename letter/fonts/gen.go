//go:build ignore

// gen.go makes the single-byte (Windows-1252) fonts of the letter's fast
// path from DejaVu Sans 2.37 in this directory. It is run by hand, with
//
//	go generate ./letter
//
// (the //go:generate line is in letter/pdf.go), and its output is committed:
// building and testing bistand need neither Python nor fontTools.
//
// For each of DejaVuSans.ttf and DejaVuSans-Bold.ttf it
//
//  1. subsets the font with fontTools (/usr/bin/python3 -m fontTools.subset,
//     Debian's python3-fonttools; $PYTHON overrides the interpreter) to
//     exactly the characters of the encoding below, plus .notdef, keeping
//     the hinting, the glyph names and every name record (the licence among
//     them) and dropping the OpenType layout and kerning tables, which fpdf
//     does not use: DejaVuSans-cp1252.ttf;
//  2. makes fpdf's font definition (DejaVuSans-cp1252.json, the widths of the
//     256 codes and the encoding's /Differences from WinAnsiEncoding) and the
//     zlib-compressed font file (DejaVuSans-cp1252.z) with fpdf.MakeFont;
//  3. gives the font's PDF name a subset tag, as PDF requires of a subset:
//     six capital letters from the SHA-256 of the subset, then "+", then the
//     PostScript name ("XXXXXX+DejaVuSans").
//
// The encoding is Windows-1252 as fpdf's cp1252.map lists it (218
// characters) plus one: U+2212 MINUS SIGN, glyph "minus", at 0x81, a code
// Windows-1252 leaves undefined (minusCode; letter/cp1252.go agrees). gen.go
// writes that map (cp1252-minus.map) into a temporary directory beside a copy
// of fpdf's cp1252.map, because MakeFont finds the reference it computes the
// differences from as cp1252.map in the map's own directory. The definition's
// Diff is then "129 /minus", which fpdf writes into the PDF as the fonts'
// /Encoding: /BaseEncoding /WinAnsiEncoding /Differences [129 /minus]. A
// reader maps the glyph name minus to U+2212, so the sign extracts as itself.
//
// It is run from the letter directory and writes into fonts/.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("fonts/gen.go: ")
	dir := "fonts"
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "codeberg.org/go-pdf/fpdf").Output()
	if err != nil {
		log.Fatalf("go list fpdf: %v", err)
	}
	ref := filepath.Join(strings.TrimSpace(string(out)), "font", "cp1252.map")
	tmp, err := os.MkdirTemp("", "bistand-fonts-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	mapFile, err := writeMap(ref, tmp)
	if err != nil {
		log.Fatal(err)
	}
	unicodes, err := repertoire(mapFile)
	if err != nil {
		log.Fatal(err)
	}
	python := os.Getenv("PYTHON")
	if python == "" {
		python = "/usr/bin/python3"
	}
	for _, name := range []string{"DejaVuSans", "DejaVuSans-Bold"} {
		src := filepath.Join(dir, name+".ttf")
		sub := filepath.Join(dir, name+"-cp1252.ttf")
		cmd := exec.Command(python, "-m", "fontTools.subset", src,
			"--output-file="+sub,
			"--unicodes="+strings.Join(unicodes, ","),
			"--layout-features=",
			"--drop-tables+=GSUB,GPOS,GDEF,kern,FFTM,MATH",
			"--name-IDs=*", "--name-languages=*", "--name-legacy",
			"--glyph-names", "--notdef-glyph", "--notdef-outline",
			"--no-recalc-timestamp")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			log.Fatalf("subsetting %s: %v", src, err)
		}
		if err := fpdf.MakeFont(sub, mapFile, dir, os.Stderr, true); err != nil {
			log.Fatalf("fpdf.MakeFont %s: %v", sub, err)
		}
		if err := checkDiff(filepath.Join(dir, name+"-cp1252.json")); err != nil {
			log.Fatal(err)
		}
		if err := tag(filepath.Join(dir, name+"-cp1252.json"), sub); err != nil {
			log.Fatal(err)
		}
	}
}

// The character added to Windows-1252, and its code and glyph name.
const (
	minusCode  = 0x81
	minusRune  = 0x2212
	minusGlyph = "minus"
)

// writeMap writes into dir a copy of fpdf's cp1252.map (ref), which MakeFont
// reads from there as the reference encoding, and cp1252-minus.map: the same
// with the line "!81 U+2212 minus" in code order. It returns the latter.
func writeMap(ref, dir string) (string, error) {
	b, err := os.ReadFile(ref)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "cp1252.map"), b, 0o644); err != nil {
		return "", err
	}
	var out bytes.Buffer
	added := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var code int
		if _, err := fmt.Sscanf(sc.Text(), "!%x", &code); err != nil {
			return "", fmt.Errorf("%s: %q: %v", ref, sc.Text(), err)
		}
		if code == minusCode {
			return "", fmt.Errorf("%s assigns %#x, which Windows-1252 leaves undefined", ref, code)
		}
		if code > minusCode && !added {
			fmt.Fprintf(&out, "!%02X U+%04X %s\n", minusCode, minusRune, minusGlyph)
			added = true
		}
		out.WriteString(sc.Text())
		out.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if !added {
		return "", fmt.Errorf("%s ends before %#x", ref, minusCode)
	}
	path := filepath.Join(dir, "cp1252-minus.map")
	return path, os.WriteFile(path, out.Bytes(), 0o644)
}

// checkDiff checks that MakeFont recorded the one difference from
// WinAnsiEncoding, which fpdf writes into the PDF as /Differences.
func checkDiff(defFile string) error {
	b, err := os.ReadFile(defFile)
	if err != nil {
		return err
	}
	var def struct{ Diff string }
	if err := json.Unmarshal(b, &def); err != nil {
		return fmt.Errorf("%s: %v", defFile, err)
	}
	if want := fmt.Sprintf("%d /%s", minusCode, minusGlyph); def.Diff != want {
		return fmt.Errorf("%s: Diff %q, want %q", defFile, def.Diff, want)
	}
	return nil
}

// repertoire returns the characters the map assigns a glyph, as
// fontTools' U+XXXX.
func repertoire(mapFile string) ([]string, error) {
	f, err := os.Open(mapFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var code, uv int
		var glyph string
		if _, err := fmt.Sscanf(sc.Text(), "!%x U+%x %s", &code, &uv, &glyph); err != nil {
			return nil, fmt.Errorf("%s: %q: %v", mapFile, sc.Text(), err)
		}
		if glyph != ".notdef" {
			out = append(out, fmt.Sprintf("U+%04X", uv))
		}
	}
	if len(out) != 219 {
		return nil, fmt.Errorf("%s assigns %d characters; Windows-1252 has 218 printable ones, and U+2212 is added", mapFile, len(out))
	}
	return out, sc.Err()
}

// tag prefixes the font's name in the definition with a subset tag made
// from the subset's SHA-256.
func tag(defFile, subset string) error {
	b, err := os.ReadFile(defFile)
	if err != nil {
		return err
	}
	font, err := os.ReadFile(subset)
	if err != nil {
		return err
	}
	var def map[string]json.RawMessage
	if err := json.Unmarshal(b, &def); err != nil {
		return fmt.Errorf("%s: %v", defFile, err)
	}
	var name string
	if err := json.Unmarshal(def["Name"], &name); err != nil || name == "" || strings.Contains(name, "+") {
		return fmt.Errorf("%s: unexpected Name %s", defFile, def["Name"])
	}
	sum := sha256.Sum256(font)
	var t [6]byte
	for i := range t {
		t[i] = 'A' + sum[i]%26
	}
	def["Name"], _ = json.Marshal(string(t[:]) + "+" + name)
	b, err = json.Marshal(def)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.Write(b)
	buf.WriteByte('\n')
	return os.WriteFile(defFile, buf.Bytes(), 0o644)
}
