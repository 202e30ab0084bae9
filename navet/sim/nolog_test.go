package sim_test

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand/navet"
	"github.com/bistand/bistand/navet/sim"
)

// TestNoLogsStatic: no code of navet or navet/sim can log. It reads every
// non-test Go file under navet/ and refuses the logging packages, the
// standard streams, fmt's printing to them and the print builtins.
func TestNoLogsStatic(t *testing.T) {
	root := filepath.Join("..")
	forbiddenImports := map[string]bool{"log": true, "log/slog": true, "log/syslog": true}
	forbiddenSelectors := map[string]bool{
		"os.Stdout": true, "os.Stderr": true,
		"fmt.Print": true, "fmt.Printf": true, "fmt.Println": true,
	}
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if forbiddenImports[p] {
				t.Errorf("%s imports %s", path, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && forbiddenSelectors[id.Name+"."+n.Sel.Name] {
					t.Errorf("%s uses %s.%s", path, id.Name, n.Sel.Name)
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && (id.Name == "print" || id.Name == "println") {
					t.Errorf("%s calls %s", path, id.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 5 {
		t.Fatalf("read only %d files: is the walk looking in the right place?", files)
	}
}

// TestNoLogsDynamic runs the client and the simulator through every path
// (found, protected, not found, invalid, injected failure, latency and a
// cancelled lookup, a redirect, a transport failure) with log, slog and
// the standard streams captured, and requires all of them to stay empty.
// It must not run in parallel with other tests.
func TestNoLogsDynamic(t *testing.T) {
	var logBuf, slogBuf bytes.Buffer
	oldFlags, oldOut := log.Flags(), log.Writer()
	log.SetOutput(&logBuf)
	oldSlog := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&slogBuf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	oldStdout, oldStderr := os.Stdout, os.Stderr
	rOut, wOut, _ := os.Pipe()
	rErr, wErr, _ := os.Pipe()
	os.Stdout, os.Stderr = wOut, wErr
	outc, errc := make(chan []byte), make(chan []byte)
	go func() { b, _ := io.ReadAll(rOut); outc <- b }()
	go func() { b, _ := io.ReadAll(rErr); errc <- b }()
	restore := func() {
		os.Stdout, os.Stderr = oldStdout, oldStderr
		wOut.Close()
		wErr.Close()
		log.SetOutput(oldOut)
		log.SetFlags(oldFlags)
		slog.SetDefault(oldSlog)
	}
	defer func() {
		if restore != nil {
			restore()
		}
	}()

	// Everything below must stay silent; no t.Log here.
	var problems []string
	ctx := context.Background()
	prot := protectedHouseholds()
	for _, opt := range []sim.Options{{}, {FailureRate: 500}, {Latency: 30 * time.Millisecond}} {
		srv := httptest.NewServer(sim.NewNavet(pop, opt))
		c, err := navet.NewClient(navet.Config{URL: srv.URL, OrgNumber: testOrg, Purpose: testPurpose})
		if err != nil {
			problems = append(problems, err.Error())
		}
		for _, n := range []string{"found", "protected", "outsider"} {
			num := pop.Household(3).Members[0].Number
			switch n {
			case "protected":
				num = pop.Household(prot[0]).Members[0].Number
			case "outsider":
				num = outsider(t)
			}
			for range 3 {
				_, _ = c.Lookup(ctx, num, "case-log")
			}
		}
		short, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
		_, _ = c.Lookup(short, pop.Household(3).Members[0].Number, "case-log")
		cancel()
		for _, body := range []string{"", "<x/>", requestXML("1", "c", "p", "2")} {
			resp, err := http.Post(srv.URL, navet.ContentType, strings.NewReader(body))
			if err == nil {
				resp.Body.Close()
			}
		}
		if resp, err := http.Get(srv.URL); err == nil {
			resp.Body.Close()
		}
		srv.Close()
		_, _ = c.Lookup(ctx, pop.Household(3).Members[0].Number, "case-log") // server gone
	}
	redirect := httptest.NewServer(http.RedirectHandler("http://127.0.0.1:1/", http.StatusTemporaryRedirect))
	c, _ := navet.NewClient(navet.Config{URL: redirect.URL, OrgNumber: testOrg, Purpose: testPurpose})
	_, _ = c.Lookup(ctx, pop.Household(3).Members[0].Number, "case-log")
	redirect.Close()

	restore()
	restore = nil
	stdout, stderr := <-outc, <-errc
	for _, p := range problems {
		t.Error(p)
	}
	for name, b := range map[string][]byte{"log": logBuf.Bytes(), "slog": slogBuf.Bytes(), "stdout": stdout, "stderr": stderr} {
		if len(b) != 0 {
			t.Errorf("something wrote %d bytes to %s", len(b), name)
		}
	}
}
