package contracttest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoggingProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.go", "package a\nimport \"log\"\nfunc f() { log.Print(1) }\n")
	write("b.go", "package a\nimport (\"fmt\"; \"os\")\nfunc g() { fmt.Println(1); fmt.Fprintln(os.Stderr, 2); println(3) }\n")
	write("c.go", "package a\nimport \"fmt\"\nfunc h() string { return fmt.Sprint(1) }\n")
	write("a_test.go", "package a\nimport \"log\"\n")
	got, err := LoggingProblems(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Errorf("problems %q, want the log import, Println, Stderr and println", got)
	}
}

func TestBodyPayload(t *testing.T) {
	env := `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="urn:x" xmlns="urn:d"><e:Body xmlns:y="urn:y"><x:a xmlns:y="urn:own"><b/></x:a></e:Body></e:Envelope>`
	got, err := BodyPayload([]byte(env))
	if err != nil {
		t.Fatal(err)
	}
	want := `<x:a xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="urn:x" xmlns="urn:d" xmlns:y="urn:own"><b/></x:a>`
	if string(got) != want {
		t.Errorf("payload\n%s\nwant\n%s", got, want)
	}
	if _, err := BodyPayload([]byte(`<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>`)); err == nil {
		t.Error("an empty body has a payload")
	}
}
