package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startBinary runs the real binary with no arguments (the README's first
// command) and the environment given, and returns the URL it serves on.
func startBinary(t *testing.T, env ...string) (*exec.Cmd, string, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(binPath)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	lines := make(chan string, 16)
	rest := &strings.Builder{}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	re := regexp.MustCompile(`serving on (http://[^ ]+/)`)
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the program ended before serving; stderr:\n%s", errb.String())
			}
			if m := re.FindStringSubmatch(l); m != nil {
				go func() {
					for l := range lines {
						rest.WriteString(l + "\n")
					}
				}()
				return cmd, m[1], rest
			}
		case <-deadline:
			t.Fatalf("no URL printed within 2 minutes; stderr:\n%s", errb.String())
		}
	}
}

// TestBinaryServesAndStopsOnInterrupt: `bistand` with no arguments starts
// the whole system on its embedded default (here with its address and data
// directory from the environment), serves the start page with the demo
// logins, and on Ctrl-C (SIGINT) shuts down cleanly with exit status 0. A
// second start on the same data directory does not set the demo up again.
func TestBinaryServesAndStopsOnInterrupt(t *testing.T) {
	data := t.TempDir()
	for round := range 2 {
		cmd, url, rest := startBinary(t, "BISTAND_ADDR=127.0.0.1:0", "BISTAND_DATA="+data)
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), `data-login="hl-anna"`) || !strings.Contains(string(body), "Sökande") {
			t.Fatalf("round %d: start page %d:\n%s", round, res.StatusCode, body)
		}
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("round %d: exit after SIGINT: %v", round, err)
			}
		case <-time.After(time.Minute):
			t.Fatalf("round %d: still running a minute after SIGINT", round)
		}
		time.Sleep(50 * time.Millisecond)
		if !strings.Contains(rest.String(), "bistand stopped") {
			t.Errorf("round %d: no clean stop reported; rest of stdout:\n%s", round, rest.String())
		}
		if _, err := os.Stat(data + "/bistand.db"); err != nil {
			t.Fatalf("the database is not in BISTAND_DATA: %v", err)
		}
	}
}

func TestServeFlagsFromEnvironment(t *testing.T) {
	t.Setenv("BISTAND_ADDR", "127.0.0.1:9999")
	t.Setenv("BISTAND_DATA", "/tmp/x")
	t.Setenv("BISTAND_DEMO", "false")
	cmd, err := parseServe(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := cmd.(*serveCmd)
	if c.addr != "127.0.0.1:9999" || c.data != "/tmp/x" || c.db != "sqlite:/tmp/x/bistand.db" || c.demo {
		t.Errorf("%+v", c)
	}
	// A flag beats the environment.
	cmd, err = parseServe([]string{"--addr", "127.0.0.1:1", "--db", "postgres://x/y"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c := cmd.(*serveCmd); c.addr != "127.0.0.1:1" || c.db != "postgres://x/y" {
		t.Errorf("%+v", c)
	}
	if _, err := parseServe([]string{"--oidc-issuer", "https://idp.example"}, io.Discard); err == nil {
		t.Error("an OIDC issuer without client id and redirect URL was accepted")
	}
}
