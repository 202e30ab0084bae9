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

// The OpenAPI reader knows LEFI's schemas, and the check finds what does
// not follow them.
func TestOpenAPI(t *testing.T) {
	o := LoadOpenAPI(t, "../../testdata/contract")
	s := o.Schemas["LefiPmFormanBeslut"]
	if s == nil || s.Properties["beslutadErsattning"] == nil || s.Properties["beslutadErsattning"].Items.Ref != "LefiPmFormanBeslutadErsattning" ||
		s.Properties["formansgrupp"].Ref != "LefiPmFormanGrupp" || s.Properties["beslutsid"].Type != "string" {
		t.Fatalf("LefiPmFormanBeslut %+v", s)
	}
	if e := o.Schemas["LefiPmFormanBeslutatBeloppFrekvensKod"]; e == nil || len(e.Enum) != 7 || e.Enum[3] != "MANAD" {
		t.Fatalf("enum %+v", e)
	}
	if r := o.Schemas["LefiPeriod"].Required; len(r) != 2 {
		t.Fatalf("required %v", r)
	}
	good := `{"utlamnare":[{"utlamnare":{"kod":"PM","namn":"Pensionsmyndigheten"},"tillstand":{"kod":"OK","beskrivning":"x"}}],"avvikelser":{},
	  "beslut":[{"beslutsid":"1","formansgrupp":{"kod":"PM:AP","beskrivning":"x"},"beslutadErsattning":[{"beslutatBelopp":{"belopp":100,"beloppsfrekvens":{"kod":"MANAD","beskrivning":"x"}},"period":{"from":"2024-01-01"}}]}],
	  "formansinformation":{"sjukpenningarende":[{"aktivt":true,"beslut":[{"fattades":"2024-01-01","definitivt":true,"omfattning":{"taljare":1,"namnare":1}}]}]}}`
	if errs := o.JSONCheck([]byte(good), "LefiExternFormansinformationSvar"); len(errs) > 0 {
		t.Errorf("a valid answer: %v", errs)
	}
	for name, bad := range map[string]string{
		"unknown property":    `{"beslut":[{"beslutsdag":"2024-01-01"}]}`,
		"not in the enum":     `{"beslut":[{"formansgrupp":{"kod":"PM:XX","beskrivning":"x"}}]}`,
		"required missing":    `{"beslut":[{"formansgrupp":{"kod":"PM:AP"}}]}`,
		"integer as text":     `{"beslut":[{"beslutadErsattning":[{"beslutatBelopp":{"belopp":"100"}}]}]}`,
		"fraction":            `{"beslut":[{"beslutadErsattning":[{"beslutatBelopp":{"belopp":1.5}}]}]}`,
		"boolean as text":     `{"formansinformation":{"sjukpenningarende":[{"aktivt":"true"}]}}`,
		"property of another": `{"formansinformation":{"sjukpenningarende":[{"avslaget":false}]}}`,
		"object as array":     `{"avvikelser":[]}`,
	} {
		if errs := o.JSONCheck([]byte(bad), "LefiExternFormansinformationSvar"); len(errs) == 0 {
			t.Errorf("%s: no problem found in %s", name, bad)
		}
	}
	if errs := o.JSONCheck([]byte(`{"personnummer":"191212121212","period":{"from":"2024-01-01","tom":"2024-03-31"},"beslut":["PM:AP"],"formansinformation":["FK:BOB"]}`), "LefiExternFormansinformationFraga"); len(errs) > 0 {
		t.Errorf("a valid query: %v", errs)
	}
	if errs := o.JSONCheck([]byte(`{"personnummer":"191212121212","period":{"from":"2024-01-01","tom":"2024-03-31"},"beslut":["FK:BOB"]}`), "LefiExternFormansinformationFraga"); len(errs) == 0 {
		t.Error("FK:BOB in beslut passed")
	}
}
