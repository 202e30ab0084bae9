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
//     exactly the characters of Windows-1252 as fpdf's cp1252.map lists them,
//     plus .notdef, keeping the hinting, the glyph names and every name
//     record (the licence among them) and dropping the OpenType layout and
//     kerning tables, which fpdf does not use: DejaVuSans-cp1252.ttf;
//  2. makes fpdf's font definition (DejaVuSans-cp1252.json, the widths of the
//     256 codes) and the zlib-compressed font file (DejaVuSans-cp1252.z) with
//     fpdf.MakeFont and cp1252.map from the fpdf module in go.mod;
//  3. gives the font's PDF name a subset tag, as PDF requires of a subset:
//     six capital letters from the SHA-256 of the subset, then "+", then the
//     PostScript name ("XXXXXX+DejaVuSans").
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
	mapFile := filepath.Join(strings.TrimSpace(string(out)), "font", "cp1252.map")
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
		if err := tag(filepath.Join(dir, name+"-cp1252.json"), sub); err != nil {
			log.Fatal(err)
		}
	}
}

// repertoire returns the characters cp1252.map assigns a glyph, as
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
	if len(out) != 218 {
		return nil, fmt.Errorf("%s assigns %d characters; Windows-1252 has 218 printable ones", mapFile, len(out))
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
