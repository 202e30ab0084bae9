package navet

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
)

// The contract's constants.
const (
	// Namespace is the XML namespace of every document of the contract.
	Namespace = "urn:bistand:navet:1"
	// ContentType is the media type of requests and answers.
	ContentType = "application/xml; charset=utf-8"
	// MaxRequestBytes bounds a request body; a service refuses larger ones.
	MaxRequestBytes = 8 << 10
	// MaxResponseBytes bounds an answer's body; the client refuses larger ones.
	MaxResponseBytes = 64 << 10
	// MaxRelations bounds the relations of one person.
	MaxRelations = 64
)

// Request is a lookup request as a service receives it.
type Request struct {
	OrgNumber string // the requesting organisation's number, ten digits
	CaseID    string
	Purpose   string
	Number    personnummer.Number
}

// ---------------------------------------------------------------------------
// Encoding. Documents are written by hand, element by element in the order
// of the schema, so that what goes on the wire is exactly what the schema
// describes.

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

type writer struct{ bytes.Buffer }

func (w *writer) open(name string)  { w.WriteString("<" + name + ">") }
func (w *writer) close(name string) { w.WriteString("</" + name + ">") }

func (w *writer) elem(name, text string) {
	w.open(name)
	_ = xml.EscapeText(w, []byte(text)) // writes to a bytes.Buffer, which does not fail
	w.close(name)
}

// encodeRequest writes a LookupRequest; the caller has validated r.
func encodeRequest(r Request) []byte {
	var w writer
	w.WriteString(xmlHeader)
	w.WriteString(`<LookupRequest xmlns="` + Namespace + `">`)
	w.open("requester")
	w.elem("organisationNumber", r.OrgNumber)
	w.close("requester")
	w.elem("caseId", r.CaseID)
	w.elem("purpose", r.Purpose)
	w.elem("personId", r.Number.String())
	w.close("LookupRequest")
	w.WriteByte('\n')
	return w.Bytes()
}

// EncodeResponse returns the LookupResponse document answering a lookup
// for caseID with p. A protected person's address is never written, even
// if p has one. It returns an error if p or caseID cannot be written
// within the contract (the error names the field, never its value).
func EncodeResponse(caseID string, p Person) ([]byte, error) {
	if !validCaseID(caseID) {
		return nil, errors.New("navet: invalid case id")
	}
	if err := checkPerson(&p); err != nil {
		return nil, err
	}
	var w writer
	w.WriteString(xmlHeader)
	w.WriteString(`<LookupResponse xmlns="` + Namespace + `">`)
	w.elem("caseId", caseID)
	w.open("person")
	w.elem("personId", p.Number.String())
	w.open("name")
	w.elem("givenName", p.GivenName)
	w.elem("familyName", p.FamilyName)
	w.close("name")
	w.elem("birthDate", p.BirthDate.String())
	w.elem("deceased", strconv.FormatBool(p.Deceased))
	if p.CivilStatus != "" {
		w.elem("civilStatus", p.CivilStatus)
	}
	if p.Municipality != "" {
		w.elem("municipality", p.Municipality)
	}
	switch {
	case p.Protected():
		// Never an address for a protected person: the schema does not
		// allow one beside the protection element.
		w.open("protection")
		if p.Sekretessmarkering {
			w.WriteString("<sekretessmarkering/>")
		}
		if p.SkyddadFolkbokforing {
			w.WriteString("<skyddadFolkbokforing/>")
		}
		w.close("protection")
	case p.Address != nil:
		w.open("address")
		w.elem("street", p.Address.Street)
		w.elem("postalCode", p.Address.PostalCode)
		w.elem("city", p.Address.City)
		w.close("address")
	}
	for _, r := range p.Relations {
		w.WriteString(`<relation kind="` + r.Kind + `">`)
		w.elem("personId", r.Number.String())
		w.close("relation")
	}
	w.close("person")
	w.close("LookupResponse")
	w.WriteByte('\n')
	return w.Bytes(), nil
}

// EncodeError returns the Error document with code and message. The
// message must not contain a personnummer; text the contract cannot carry
// is replaced by a generic message.
func EncodeError(code Code, message string) []byte {
	if statusOf[code] == 0 {
		code = CodeInternal
	}
	if !validText(message, 200) {
		message = "error"
	}
	var w writer
	w.WriteString(xmlHeader)
	w.WriteString(`<Error xmlns="` + Namespace + `">`)
	w.elem("code", string(code))
	w.elem("message", message)
	w.close("Error")
	w.WriteByte('\n')
	return w.Bytes()
}

// checkPerson checks that p can be written within the contract. The
// address of a protected person is not checked: it is never written.
func checkPerson(p *Person) error {
	bad := func(field string) error { return errors.New("navet: person cannot be encoded: invalid " + field) }
	switch {
	case !validNumber(p.Number):
		return bad("number")
	case !validText(p.GivenName, 100):
		return bad("given name")
	case !validText(p.FamilyName, 100):
		return bad("family name")
	case p.BirthDate.IsZero():
		return bad("birth date")
	case p.CivilStatus != "" && !validCivilStatus(p.CivilStatus):
		return bad("civil status")
	case p.Municipality != "" && !validMunicipality(p.Municipality):
		return bad("municipality")
	case len(p.Relations) > MaxRelations:
		return bad("relations")
	}
	if a := p.Address; a != nil && !p.Protected() {
		if !validText(a.Street, 100) || !validPostalCode(a.PostalCode) || !validText(a.City, 100) {
			return bad("address")
		}
	}
	for _, r := range p.Relations {
		if !validRelationKind(r.Kind) || !validNumber(r.Number) {
			return bad("relation")
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Decoding. encoding/xml reads the documents into the structures below,
// whose tags carry the namespace, so elements of another namespace do not
// match. Every element is read into a slice so that a repeated element is
// seen and refused rather than silently overwritten, and every level
// captures unexpected child elements so they can be refused.

// text is an element holding only text.
type text struct {
	Text  string   `xml:",chardata"`
	Extra []xmlAny `xml:",any"`
}

type xmlAny struct{}

type xmlRequest struct {
	XMLName   xml.Name       `xml:"urn:bistand:navet:1 LookupRequest"`
	Requester []xmlRequester `xml:"urn:bistand:navet:1 requester"`
	CaseID    []text         `xml:"urn:bistand:navet:1 caseId"`
	Purpose   []text         `xml:"urn:bistand:navet:1 purpose"`
	PersonID  []text         `xml:"urn:bistand:navet:1 personId"`
	Extra     []xmlAny       `xml:",any"`
}

type xmlRequester struct {
	OrgNumber []text   `xml:"urn:bistand:navet:1 organisationNumber"`
	Extra     []xmlAny `xml:",any"`
}

type xmlResponse struct {
	XMLName xml.Name    `xml:"urn:bistand:navet:1 LookupResponse"`
	CaseID  []text      `xml:"urn:bistand:navet:1 caseId"`
	Person  []xmlPerson `xml:"urn:bistand:navet:1 person"`
	Extra   []xmlAny    `xml:",any"`
}

type xmlPerson struct {
	PersonID     []text          `xml:"urn:bistand:navet:1 personId"`
	Name         []xmlName       `xml:"urn:bistand:navet:1 name"`
	BirthDate    []text          `xml:"urn:bistand:navet:1 birthDate"`
	Deceased     []text          `xml:"urn:bistand:navet:1 deceased"`
	CivilStatus  []text          `xml:"urn:bistand:navet:1 civilStatus"`
	Municipality []text          `xml:"urn:bistand:navet:1 municipality"`
	Protection   []xmlProtection `xml:"urn:bistand:navet:1 protection"`
	Address      []xmlAddress    `xml:"urn:bistand:navet:1 address"`
	Relation     []xmlRelation   `xml:"urn:bistand:navet:1 relation"`
	Extra        []xmlAny        `xml:",any"`
}

type xmlName struct {
	Given  []text   `xml:"urn:bistand:navet:1 givenName"`
	Family []text   `xml:"urn:bistand:navet:1 familyName"`
	Extra  []xmlAny `xml:",any"`
}

type xmlProtection struct {
	Sekretessmarkering   []xmlAny `xml:"urn:bistand:navet:1 sekretessmarkering"`
	SkyddadFolkbokforing []xmlAny `xml:"urn:bistand:navet:1 skyddadFolkbokforing"`
	Extra                []xmlAny `xml:",any"`
}

type xmlAddress struct {
	Street     []text   `xml:"urn:bistand:navet:1 street"`
	PostalCode []text   `xml:"urn:bistand:navet:1 postalCode"`
	City       []text   `xml:"urn:bistand:navet:1 city"`
	Extra      []xmlAny `xml:",any"`
}

type xmlRelation struct {
	Kind     string   `xml:"kind,attr"`
	PersonID []text   `xml:"urn:bistand:navet:1 personId"`
	Extra    []xmlAny `xml:",any"`
}

type xmlError struct {
	XMLName xml.Name `xml:"urn:bistand:navet:1 Error"`
	Code    []text   `xml:"urn:bistand:navet:1 code"`
	Message []text   `xml:"urn:bistand:navet:1 message"`
	Extra   []xmlAny `xml:",any"`
}

// errReason is a decoding failure; its text names what is wrong and never
// contains any part of the input.
type errReason string

func (e errReason) Error() string { return string(e) }

// decodeDoc reads one document of at most limit bytes into v: the root
// element and nothing after it but white space, comments and processing
// instructions. The errors it returns contain no text of the document.
func decodeDoc(b []byte, limit int, v any) error {
	if len(b) > limit {
		return errReason("document too large")
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	if err := d.Decode(v); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return errReason("malformed XML (line " + strconv.Itoa(se.Line) + ")")
		}
		if err == io.EOF {
			return errReason("empty document")
		}
		// An xml.UnmarshalError or similar quotes the input: keep only
		// that the root element was not the one expected.
		return errReason("unexpected document element")
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errReason("malformed XML after the document element")
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimLeft(t, " \t\r\n")) != 0 {
				return errReason("text after the document element")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return errReason("content after the document element")
		}
	}
}

// one returns the text of the only element in v, for the named field.
func one(v []text, field string) (string, error) {
	if len(v) != 1 {
		return "", errReason("need exactly one " + field)
	}
	if len(v[0].Extra) != 0 {
		return "", errReason("unexpected element in " + field)
	}
	return v[0].Text, nil
}

// optional returns the text of the element in v, if any.
func optional(v []text, field string) (string, bool, error) {
	if len(v) == 0 {
		return "", false, nil
	}
	s, err := one(v, field)
	return s, true, err
}

// ParseRequest reads a LookupRequest document. Its error is an *Error with
// CodeInvalidRequest saying what is wrong, never containing input text.
func ParseRequest(b []byte) (Request, error) {
	invalid := func(err error) (Request, error) {
		return Request{}, &Error{Code: CodeInvalidRequest, reason: err.Error()}
	}
	var x xmlRequest
	if err := decodeDoc(b, MaxRequestBytes, &x); err != nil {
		return invalid(err)
	}
	if len(x.Extra) != 0 {
		return invalid(errReason("unexpected element in LookupRequest"))
	}
	if len(x.Requester) != 1 {
		return invalid(errReason("need exactly one requester"))
	}
	if len(x.Requester[0].Extra) != 0 {
		return invalid(errReason("unexpected element in requester"))
	}
	var r Request
	var err error
	if r.OrgNumber, err = one(x.Requester[0].OrgNumber, "organisationNumber"); err != nil {
		return invalid(err)
	}
	if !validOrgNumber(r.OrgNumber) {
		return invalid(errReason("invalid organisationNumber"))
	}
	if r.CaseID, err = one(x.CaseID, "caseId"); err != nil {
		return invalid(err)
	}
	if !validCaseID(r.CaseID) {
		return invalid(errReason("invalid caseId"))
	}
	if r.Purpose, err = one(x.Purpose, "purpose"); err != nil {
		return invalid(err)
	}
	if !validText(r.Purpose, 200) {
		return invalid(errReason("invalid purpose"))
	}
	id, err := one(x.PersonID, "personId")
	if err != nil {
		return invalid(err)
	}
	if r.Number, err = parseNumber(id); err != nil {
		return invalid(errReason("invalid personId"))
	}
	return r, nil
}

// decodeResponse reads a LookupResponse document. A protected person's
// address is dropped even if the document carries one.
func decodeResponse(b []byte) (caseID string, p Person, err error) {
	var x xmlResponse
	if err := decodeDoc(b, MaxResponseBytes, &x); err != nil {
		return "", Person{}, err
	}
	if len(x.Extra) != 0 {
		return "", Person{}, errReason("unexpected element in LookupResponse")
	}
	if caseID, err = one(x.CaseID, "caseId"); err != nil {
		return "", Person{}, err
	}
	if !validCaseID(caseID) {
		return "", Person{}, errReason("invalid caseId")
	}
	if len(x.Person) != 1 {
		return "", Person{}, errReason("need exactly one person")
	}
	p, err = decodePerson(&x.Person[0])
	return caseID, p, err
}

func decodePerson(x *xmlPerson) (Person, error) {
	var p Person
	if len(x.Extra) != 0 {
		return p, errReason("unexpected element in person")
	}
	id, err := one(x.PersonID, "personId")
	if err != nil {
		return p, err
	}
	if p.Number, err = parseNumber(id); err != nil {
		return p, errReason("invalid personId")
	}

	if len(x.Name) != 1 || len(x.Name[0].Extra) != 0 {
		return p, errReason("need exactly one name, with givenName and familyName")
	}
	if p.GivenName, err = one(x.Name[0].Given, "givenName"); err != nil {
		return p, err
	}
	if p.FamilyName, err = one(x.Name[0].Family, "familyName"); err != nil {
		return p, err
	}
	if !validText(p.GivenName, 100) || !validText(p.FamilyName, 100) {
		return p, errReason("invalid name")
	}

	s, err := one(x.BirthDate, "birthDate")
	if err != nil {
		return p, err
	}
	if p.BirthDate, err = bistand.ParseDate(collapse(s)); err != nil {
		return p, errReason("invalid birthDate")
	}

	if s, err = one(x.Deceased, "deceased"); err != nil {
		return p, err
	}
	switch collapse(s) {
	case "true", "1":
		p.Deceased = true
	case "false", "0":
	default:
		return p, errReason("invalid deceased")
	}

	s, ok, err := optional(x.CivilStatus, "civilStatus")
	if err != nil {
		return p, err
	}
	if ok && !validCivilStatus(s) {
		return p, errReason("invalid civilStatus")
	}
	p.CivilStatus = s

	if s, ok, err = optional(x.Municipality, "municipality"); err != nil {
		return p, err
	}
	if ok && !validMunicipality(s) {
		return p, errReason("invalid municipality")
	}
	p.Municipality = s

	switch len(x.Protection) {
	case 0:
	case 1:
		pr := x.Protection[0]
		if len(pr.Extra) != 0 || len(pr.Sekretessmarkering) > 1 || len(pr.SkyddadFolkbokforing) > 1 {
			return p, errReason("invalid protection")
		}
		p.Sekretessmarkering = len(pr.Sekretessmarkering) == 1
		p.SkyddadFolkbokforing = len(pr.SkyddadFolkbokforing) == 1
		if !p.Protected() {
			// A protection element without a marking: the register meant
			// something it did not say. Refuse rather than guess.
			return p, errReason("protection without a marking")
		}
	default:
		return p, errReason("more than one protection")
	}

	switch {
	case len(x.Address) > 1:
		return p, errReason("more than one address")
	case len(x.Address) == 1 && p.Protected():
		// Defence in depth: the service must not send a protected person's
		// address, and if it does, it goes no further than this.
	case len(x.Address) == 1:
		a, err := decodeAddress(&x.Address[0])
		if err != nil {
			return p, err
		}
		p.Address = a
	}

	if len(x.Relation) > MaxRelations {
		return p, errReason("too many relations")
	}
	for i := range x.Relation {
		xr := &x.Relation[i]
		if len(xr.Extra) != 0 || !validRelationKind(xr.Kind) {
			return p, errReason("invalid relation")
		}
		id, err := one(xr.PersonID, "relation personId")
		if err != nil {
			return p, err
		}
		n, err := parseNumber(id)
		if err != nil {
			return p, errReason("invalid relation personId")
		}
		p.Relations = append(p.Relations, Relation{Kind: xr.Kind, Number: n})
	}
	return p, nil
}

func decodeAddress(x *xmlAddress) (*Address, error) {
	if len(x.Extra) != 0 {
		return nil, errReason("unexpected element in address")
	}
	var a Address
	var err error
	if a.Street, err = one(x.Street, "street"); err != nil {
		return nil, err
	}
	if a.PostalCode, err = one(x.PostalCode, "postalCode"); err != nil {
		return nil, err
	}
	if a.City, err = one(x.City, "city"); err != nil {
		return nil, err
	}
	if !validText(a.Street, 100) || !validPostalCode(a.PostalCode) || !validText(a.City, 100) {
		return nil, errReason("invalid address")
	}
	return &a, nil
}

// decodeError reads an Error document and returns its code; the message is
// not kept (it is text from the response, and might hold anything).
func decodeError(b []byte) (Code, error) {
	var x xmlError
	if err := decodeDoc(b, MaxResponseBytes, &x); err != nil {
		return "", err
	}
	if len(x.Extra) != 0 {
		return "", errReason("unexpected element in Error")
	}
	c, err := one(x.Code, "code")
	if err != nil {
		return "", err
	}
	msg, err := one(x.Message, "message")
	if err != nil {
		return "", err
	}
	if statusOf[Code(c)] == 0 {
		return "", errReason("unknown error code")
	}
	if !validText(msg, 200) {
		return "", errReason("invalid error message")
	}
	return Code(c), nil
}

// ---------------------------------------------------------------------------
// Field rules, the same as the schema's simple types.

// parseNumber reads a personId: the twelve-digit form (ParseCanonical
// checks the digits, the date and the check digit) with a birth year
// 1800–2099 as the schema's pattern has it.
func parseNumber(s string) (personnummer.Number, error) {
	n, err := personnummer.ParseCanonical(s)
	if err != nil {
		return personnummer.Number{}, err
	}
	if !validNumber(n) {
		return personnummer.Number{}, errReason("personId out of range")
	}
	return n, nil
}

func validNumber(n personnummer.Number) bool {
	return !n.IsZero() && n.BirthDate().Year() >= 1800 && n.BirthDate().Year() <= 2099
}

// collapse applies XML Schema's whiteSpace="collapse" for the types that
// have it (xs:date, xs:boolean); their values hold no inner spaces.
func collapse(s string) string { return strings.Trim(s, " \t\r\n") }

// validText is the schema's Text100 and Text200: 1 to max characters, no
// control characters, no white space first or last, only characters XML
// can carry.
func validText(s string, max int) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || !isXMLChar(r) {
			return false
		}
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	return first != ' ' && last != ' '
}

// isXMLChar reports whether r may appear in an XML 1.0 document.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

func validCaseID(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && strings.IndexByte("._:/-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validOrgNumber checks a ten-digit organisation number and its Luhn check
// digit.
func validOrgNumber(s string) bool {
	if len(s) != 10 || !allDigits(s) {
		return false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		d := int(s[i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func validPostalCode(s string) bool {
	return len(s) == 6 && allDigits(s[:3]) && s[3] == ' ' && allDigits(s[4:])
}

func validMunicipality(s string) bool { return len(s) == 4 && allDigits(s) }

func validCivilStatus(s string) bool {
	switch s {
	case CivilStatusUnmarried, CivilStatusMarried, CivilStatusWidowed, CivilStatusDivorced,
		CivilStatusRegisteredPartner, CivilStatusFormerPartner, CivilStatusSurvivingPartner:
		return true
	}
	return false
}

func validRelationKind(s string) bool {
	switch s {
	case RelationSpouse, RelationPartner, RelationChild, RelationParent:
		return true
	}
	return false
}
