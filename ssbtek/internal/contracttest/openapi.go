package contracttest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// LEFIOpenAPI is LEFI's OpenAPI description, relative to the contract
// directory.
const LEFIOpenAPI = "se/forsakringskassan/schema/lefi/lefi-formansinformation-v9.openapi.yaml"

// OpenAPI is what JSONCheck needs of an OpenAPI 3 description's component
// schemas: each schema's type, enum, required properties and properties.
// It reads the generated YAML of LEFI's description line by line (no YAML
// library): component schemas at four spaces, their keys at six,
// properties at eight and their keys at ten.
type OpenAPI struct {
	Schemas map[string]*OASchema
}

// OASchema is a component schema, or the schema of a property.
type OASchema struct {
	Type       string // object, array, string, integer, number, boolean; "" not given
	Ref        string // the component schema referred to
	Enum       []string
	Required   []string
	Properties map[string]*OASchema
	Items      *OASchema
}

var (
	reSchema = regexp.MustCompile(`^    ([A-Za-z0-9_]+):$`)
	reKey6   = regexp.MustCompile(`^      ([A-Za-z$]+):(.*)$`)
	reEnum6  = regexp.MustCompile(`^      - (.+)$`)
	reProp   = regexp.MustCompile(`^        ([A-Za-z0-9_]+):$`)
	reKey10  = regexp.MustCompile(`^          ([A-Za-z$]+):(.*)$`)
	reKey12  = regexp.MustCompile(`^            ([A-Za-z$]+):(.*)$`)
)

func refName(s string) string {
	s = strings.Trim(strings.TrimSpace(s), `'"`)
	return strings.TrimPrefix(s, "#/components/schemas/")
}

// LoadOpenAPI reads the component schemas of LEFI's OpenAPI description
// in the contract directory.
func LoadOpenAPI(t testing.TB, contractDir string) *OpenAPI {
	t.Helper()
	f, err := os.Open(filepath.Join(contractDir, LEFIOpenAPI))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o := &OpenAPI{Schemas: map[string]*OASchema{}}
	var cur *OASchema  // the component schema read
	var prop *OASchema // the property read
	section := ""      // the component schema's six-space key being read
	inComponents, inSchemas := false, false
	inItems := false
	for s := bufio.NewScanner(f); s.Scan(); {
		line := s.Text()
		switch {
		case line == "components:":
			inComponents = true
			continue
		case inComponents && line == "  schemas:":
			inSchemas = true
			continue
		case !inSchemas:
			continue
		}
		if m := reSchema.FindStringSubmatch(line); m != nil {
			cur = &OASchema{Properties: map[string]*OASchema{}}
			o.Schemas[m[1]] = cur
			prop, section = nil, ""
			continue
		}
		if cur == nil {
			continue
		}
		if m := reKey6.FindStringSubmatch(line); m != nil {
			section, prop = m[1], nil
			switch m[1] {
			case "type":
				cur.Type = strings.TrimSpace(m[2])
			case "$ref":
				cur.Ref = refName(m[2])
			}
			continue
		}
		if m := reEnum6.FindStringSubmatch(line); m != nil {
			v := strings.Trim(strings.TrimSpace(m[1]), `'"`)
			switch section {
			case "enum":
				cur.Enum = append(cur.Enum, v)
			case "required":
				cur.Required = append(cur.Required, v)
			}
			continue
		}
		if section != "properties" {
			continue
		}
		if m := reProp.FindStringSubmatch(line); m != nil {
			prop = &OASchema{}
			cur.Properties[m[1]] = prop
			inItems = false
			continue
		}
		if prop == nil {
			continue
		}
		if m := reKey10.FindStringSubmatch(line); m != nil {
			inItems = m[1] == "items"
			switch m[1] {
			case "type":
				prop.Type = strings.TrimSpace(m[2])
			case "$ref":
				prop.Ref = refName(m[2])
			case "items":
				prop.Items = &OASchema{}
			}
			continue
		}
		if m := reKey12.FindStringSubmatch(line); m != nil && inItems {
			switch m[1] {
			case "type":
				prop.Items.Type = strings.TrimSpace(m[2])
			case "$ref":
				prop.Items.Ref = refName(m[2])
			}
		}
	}
	if len(o.Schemas) == 0 {
		t.Fatalf("no component schemas in %s", LEFIOpenAPI)
	}
	return o
}

// JSONCheck checks a JSON document against the component schema named:
// every property of every object is one the schema describes, every value
// has the schema's type, every enum value is in its enum and every
// required property is present. It returns every problem found, with its
// path.
func (o *OpenAPI) JSONCheck(doc []byte, schema string) []error {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return []error{err}
	}
	if d.More() {
		return []error{fmt.Errorf("data after the JSON value")}
	}
	var errs []error
	o.check(v, &OASchema{Ref: schema}, "$", &errs)
	return errs
}

func (o *OpenAPI) check(v any, s *OASchema, path string, errs *[]error) {
	bad := func(format string, a ...any) { *errs = append(*errs, fmt.Errorf(path+": "+format, a...)) }
	for s.Ref != "" {
		r := o.Schemas[s.Ref]
		if r == nil {
			bad("no schema %s", s.Ref)
			return
		}
		s = r
	}
	typ := s.Type
	if typ == "" && len(s.Properties) > 0 {
		typ = "object"
	}
	switch typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("not an object")
			return
		}
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				bad("no %s, which is required", r)
			}
		}
		if s.Properties == nil {
			return
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p, ok := s.Properties[k]
			if !ok {
				bad("%s is not a property of the schema", k)
				continue
			}
			o.check(obj[k], p, path+"."+k, errs)
		}
	case "array":
		list, ok := v.([]any)
		if !ok {
			bad("not an array")
			return
		}
		if s.Items != nil {
			for i, e := range list {
				o.check(e, s.Items, fmt.Sprintf("%s[%d]", path, i), errs)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("not a string")
			return
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			bad("%q is not in the enum", str)
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			bad("not an integer")
		}
	case "number":
		n, ok := v.(json.Number)
		if _, err := n.Float64(); !ok || err != nil {
			bad("not a number")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("not a boolean")
		}
	}
}
