// Package contracttest holds what the tests of ssbtek and ssbtek/sim
// share: validation against the SSBTEK contract's schemas with xmllint (a
// test that needs it fails, never skips, when it is missing: Debian
// package libxml2-utils), and a check that a package writes no logs.
package contracttest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// SSBTSchema is the contract's entry schema, relative to the contract
// directory.
const SSBTSchema = "se/forsakringskassan/schema/integration/ssbt/_10/sammansatt_bastjanst_v10.xsd"

// Xmllint returns xmllint's path, failing the test when it is missing.
func Xmllint(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint is needed to validate against the contract's schemas (apt-get install libxml2-utils): %v", err)
	}
	return p
}

// Check validates doc against the schema file with xmllint and returns
// xmllint's complaint, if any.
func Check(t testing.TB, schema string, doc []byte) error {
	t.Helper()
	lint := Xmllint(t)
	f, err := os.CreateTemp(t.TempDir(), "doc-*.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(doc); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(lint, "--noout", "--nonet", "--schema", schema, f.Name()).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	if !bytes.Contains(out, []byte("validates")) {
		return fmt.Errorf("xmllint did not report validation: %s", out)
	}
	return nil
}

// Validate fails the test when doc does not validate against schema.
func Validate(t testing.TB, schema string, doc []byte, what string) {
	t.Helper()
	if err := Check(t, schema, doc); err != nil {
		t.Errorf("%s does not validate against %s: %v\n%s", what, filepath.Base(schema), err, doc)
	}
}

const nsSOAP = "http://schemas.xmlsoap.org/soap/envelope/"

// BodyPayload returns the element inside a SOAP 1.1 envelope's soap:Body,
// with the namespace declarations of Envelope and Body that it does not
// redeclare added to its start tag, so that it stands alone.
func BodyPayload(envelope []byte) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(envelope))
	var scope []xml.Attr // declarations on Envelope and Body
	depth := 0
	start := int64(-1)
	var first xml.StartElement
	for {
		before := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil {
			return nil, errors.New("no element inside soap:Body")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth < 2 {
				if !strings.HasSuffix(t.Name.Local, []string{"Envelope", "Body"}[depth]) {
					return nil, fmt.Errorf("unexpected element %s", t.Name.Local)
				}
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
						scope = append(scope, a)
					}
				}
			}
			if depth == 2 && start < 0 {
				start, first = before, t
			}
			depth++
		case xml.EndElement:
			depth--
			if depth == 2 && start >= 0 {
				return standalone(envelope[start:d.InputOffset()], first, scope), nil
			}
			if depth < 2 {
				return nil, errors.New("no element inside soap:Body")
			}
		}
	}
}

func standalone(elem []byte, start xml.StartElement, scope []xml.Attr) []byte {
	declared := map[string]bool{}
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" {
			declared[a.Name.Local] = true
		} else if a.Name.Space == "" && a.Name.Local == "xmlns" {
			declared[""] = true
		}
	}
	var add bytes.Buffer
	for _, a := range scope {
		prefix := a.Name.Local
		name := "xmlns:" + prefix
		if a.Name.Space == "" {
			prefix, name = "", "xmlns"
		}
		if declared[prefix] {
			continue
		}
		declared[prefix] = true
		add.WriteString(" " + name + `="`)
		xml.EscapeText(&add, []byte(a.Value))
		add.WriteString(`"`)
	}
	// Insert after "<" and the element's name.
	name := start.Name.Local
	if start.Name.Space != "" {
		name = start.Name.Space + ":" + name
	}
	at := 1 + len(name)
	out := append([]byte{}, elem[:at]...)
	out = append(out, add.Bytes()...)
	return append(out, elem[at:]...)
}

// CSNSchema returns the path of CSN's kommunfraga.xsd in a temporary copy
// of the contract's CSN schemas whose import of the unpublished Sambruk
// schema points at the stand-in stub.
func CSNSchema(t testing.TB, contract, stub string) string {
	t.Helper()
	src := filepath.Join(contract, "se/csn/schema/v4_0")
	dst := filepath.Join(t.TempDir(), "v4_0")
	stubAbs, err := filepath.Abs(stub)
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(src, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == filepath.Join("kommunfraga", "kommunfraga.xsd") {
			b = bytes.Replace(b, []byte("../../../../sambruk/sbnyttomeddelanden/SBNUppgEkBistandBegar_v1_0.xsd"), []byte(stubAbs), 1)
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dst, "kommunfraga", "kommunfraga.xsd")
}

// NoLogging fails the test when a non-test Go file in dir imports a
// logging package or writes to standard output or error: the package must
// log nothing, so that no personnummer can reach a log.
func NoLogging(t testing.TB, dir string) {
	t.Helper()
	problems, err := LoggingProblems(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// LoggingProblems lists the logging imports and console output in the
// non-test Go files of dir.
func LoggingProblems(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no Go files in %s", dir)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, imp := range f.Imports {
			switch strings.Trim(imp.Path.Value, `"`) {
			case "log", "log/slog", "log/syslog":
				out = append(out, fmt.Sprintf("%s imports %s", name, imp.Path.Value))
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok {
					if (id.Name == "fmt" && strings.HasPrefix(x.Sel.Name, "Print")) || (id.Name == "os" && (x.Sel.Name == "Stdout" || x.Sel.Name == "Stderr")) {
						out = append(out, fmt.Sprintf("%s: %s.%s writes to the console", fset.Position(x.Pos()), id.Name, x.Sel.Name))
					}
				}
			case *ast.CallExpr:
				if id, ok := x.Fun.(*ast.Ident); ok && (id.Name == "print" || id.Name == "println") {
					out = append(out, fmt.Sprintf("%s: %s writes to the console", fset.Position(x.Pos()), id.Name))
				}
			}
			return true
		})
	}
	return out, nil
}

// CaptureLogs sends the standard logger's and slog's default output to a
// buffer until the test ends, and returns the buffer.
func CaptureLogs(t testing.TB) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	oldOut, oldFlags := log.Writer(), log.Flags()
	oldSlog := slog.Default()
	log.SetOutput(&buf)
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() {
		log.SetOutput(oldOut)
		log.SetFlags(oldFlags)
		slog.SetDefault(oldSlog)
	})
	return &buf
}
