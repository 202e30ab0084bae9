package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"strings"
)

// xw writes XML with the names given: prefixes are declared by the caller.
type xw struct{ bytes.Buffer }

func (x *xw) raw(s string) { x.WriteString(s) }

func (x *xw) start(name string, attrs ...string) {
	x.WriteByte('<')
	x.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.WriteByte(' ')
		x.WriteString(attrs[i])
		x.WriteString(`="`)
		xml.EscapeText(x, []byte(attrs[i+1]))
		x.WriteByte('"')
	}
	x.WriteByte('>')
}

func (x *xw) end(name string) {
	x.WriteString("</")
	x.WriteString(name)
	x.WriteByte('>')
}

func (x *xw) text(s string) { xml.EscapeText(x, []byte(s)) }

// elem writes <name>text</name>.
func (x *xw) elem(name, text string) {
	x.start(name)
	x.text(text)
	x.end(name)
}

// opt writes <name>text</name> unless text is empty.
func (x *xw) opt(name, text string) {
	if text != "" {
		x.elem(name, text)
	}
}

// cdata writes s as CDATA sections (a "]]>" inside is split).
func (x *xw) cdata(s string) {
	x.WriteString("<![CDATA[")
	x.WriteString(strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>"))
	x.WriteString("]]>")
}

func base64Decode(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

func base64Encode(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
