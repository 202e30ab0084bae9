package ssbtek

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// CSN's answer, CSNSvar (kommunfraga.xsd; namespaces
// http://schema.csn.se/v4.0/… in the contract, v3.0 in older answers: the
// elements are matched by local name only).
type csnSvar struct {
	XMLName       xml.Name
	SchemaVersion string `xml:"schemaVersion,attr"`
	Resultat      struct {
		ResultatKod  string `xml:"ResultatKod"`
		ResultatText string `xml:"ResultatText"`
	} `xml:"GemensamtSvarEkbistand>Resultat"`
	Personer []csnPerson `xml:"Personer>Person"`
}

type csnPerson struct {
	Personnummer string `xml:"personnummer,attr"` // ten digits
	Status       string `xml:"Status,attr"`       // blank or "Ej träff"
	Sekretess    string `xml:"sekretess,attr"`
	Sekel        string `xml:"sekel,attr"`
	Typer        struct {
		Studiemedel            string `xml:"studiemedel"`
		Studiehjalp            string `xml:"studiehjalp"`
		Hemutrustningslan      string `xml:"hemutrustningslan"`
		Studiestartsstod       string `xml:"studiestartsstod"`
		Omstallningsstudiestod string `xml:"omstallningsstudiestod"`
	} `xml:"Studiestodstypforteckning"`
	Studiemedel            []csnArende `xml:"Studiemedel>Arenden>Arende"`
	Studiehjalp            []csnArende `xml:"Studiehjalp>Arenden>Arende"`
	HemutrustningsLan      []csnArende `xml:"HemutrustningsLan>Arenden>Arende"`
	Studiestartsstod       []csnArende `xml:"Studiestartsstod>Arenden>Arende"`
	Omstallningsstudiestod []csnArende `xml:"Omstallningsstudiestod>Arenden>Arende"`
}

type csnArende struct {
	Lopnummer string `xml:"lopnummer,attr"`
	Stodform  string `xml:"stodform"`
	Klartext  string `xml:"klartext"`
	Status    string `xml:"status"`
	Beviljade []struct {
		Starttid  string `xml:"starttid"`
		Sluttid   string `xml:"sluttid"`
		Takt      string `xml:"takt"`
		Totbelopp string `xml:"totbelopp"`
	} `xml:"BeviljadeTider>BeviljadTid"`
	Utbetalningar []struct {
		Utbetdatum     string `xml:"utbetdatum"`
		Utbetstatus    string `xml:"utbetstatus"`
		Utbetaldatider []struct {
			Startvecka string `xml:"startvecka"`
			Slutvecka  string `xml:"slutvecka"`
		} `xml:"Utbetaldatider>Utbetaldtid"`
		Totbelopp string `xml:"totbelopp"`
	} `xml:"UtbetalningsPlan>Utbetalning"`
}

// csnKinds names CSN's kinds of support and the benefit code of their
// payments.
var csnKinds = []struct{ kind, benefit string }{
	{"Studiemedel", "SM"},
	{"Studiehjalp", "SH"},
	{"HemutrustningsLan", "HUT"},
	{"Studiestartsstod", "SSS"},
	{"Omstallningsstudiestod", "OSS"},
}

// parseCSN reads CSN's CSNSvar into sa: the result, whether CSN knows the
// person and marks them protected, every case, and the payments of every
// case's payment plan — made ones (utbetstatus Utbetald/UTBETALAD) into
// Payments, planned ones into Planned. A payment's amount is its totbelopp
// (whole kronor, grant and loan together: CSN pays untaxed), its period
// the first start week to the last end week of its Utbetaldatider.
func parseCSN(sa *SourceAnswer, x []byte) error {
	var s csnSvar
	if err := decodeXML(x, &s); err != nil {
		return fmt.Errorf("CSN: %w", err)
	}
	if s.XMLName.Local != "CSNSvar" {
		return errors.New("CSN: not a CSNSvar document")
	}
	st := &CSNStatus{ResultCode: strings.TrimSpace(s.Resultat.ResultatKod), ResultText: s.Resultat.ResultatText, Kinds: map[string]string{}}
	sa.CSN = st
	for _, p := range s.Personer {
		sa.ids = append(sa.ids, p.Personnummer)
		if strings.TrimSpace(p.Status) != "Ej träff" {
			st.Found = true
		}
		if strings.TrimSpace(p.Sekretess) != "" {
			st.Protected = true
		}
		for k, v := range map[string]string{
			"studiemedel": p.Typer.Studiemedel, "studiehjalp": p.Typer.Studiehjalp, "hemutrustningslan": p.Typer.Hemutrustningslan,
			"studiestartsstod": p.Typer.Studiestartsstod, "omstallningsstudiestod": p.Typer.Omstallningsstudiestod,
		} {
			if v = strings.TrimSpace(v); v != "" {
				st.Kinds[k] = v
			}
		}
		for i, arenden := range [][]csnArende{p.Studiemedel, p.Studiehjalp, p.HemutrustningsLan, p.Studiestartsstod, p.Omstallningsstudiestod} {
			for _, a := range arenden {
				csnCase(sa, st, csnKinds[i].kind, csnKinds[i].benefit, a)
			}
		}
	}
	return nil
}

func csnCase(sa *SourceAnswer, st *CSNStatus, kind, benefit string, a csnArende) {
	c := CSNCase{Kind: kind, Number: strings.TrimSpace(a.Lopnummer), Form: strings.TrimSpace(a.Stodform), Text: a.Klartext, Status: strings.TrimSpace(a.Status)}
	what := "CSN " + kind + " " + c.Number
	for n, b := range a.Beviljade {
		g := CSNGrant{Pace: strings.TrimSpace(b.Takt)}
		var e1, e2, e3 error
		g.From, e1 = parseWeek(b.Starttid, false)
		g.To, e2 = parseWeek(b.Sluttid, true)
		g.Total, e3 = parseAmount(b.Totbelopp)
		if e := errors.Join(e1, e2, e3); e != nil {
			sa.malformedItem(what+" BeviljadTid", n, e)
			continue
		}
		c.Granted = append(c.Granted, g)
	}
	st.Cases = append(st.Cases, c)
	for n, u := range a.Utbetalningar {
		p := Payment{Source: CSN, Benefit: benefit}
		var e1, e2 error
		p.PaidOn, e1 = parseCompactDate(u.Utbetdatum)
		p.Net, e2 = parseAmount(u.Totbelopp)
		if e := errors.Join(e1, e2); e != nil {
			sa.malformedItem(what+" Utbetalning", n, e)
			continue
		}
		p.Gross = p.Net
		ok := true
		for _, t := range u.Utbetaldatider {
			if strings.TrimSpace(t.Startvecka) != "" {
				from, err := parseWeek(t.Startvecka, false)
				if err != nil {
					ok = false
					break
				}
				if p.From.IsZero() || from.Before(p.From) {
					p.From = from
				}
			}
			if strings.TrimSpace(t.Slutvecka) != "" {
				to, err := parseWeek(t.Slutvecka, true)
				if err != nil {
					ok = false
					break
				}
				if to.After(p.To) {
					p.To = to
				}
			}
		}
		if !ok {
			sa.malformedItem(what+" Utbetalning", n, errDate)
			continue
		}
		p.Reference = reference(CSN, benefit+":"+c.Number, p)
		switch strings.TrimSpace(u.Utbetstatus) {
		case "Utbetald", "UTBETALAD":
			sa.Payments = append(sa.Payments, p)
		case "Planerad":
			sa.Planned = append(sa.Planned, p)
		default:
			sa.malformedItem(what+" Utbetalning", n, errors.New("unknown utbetstatus"))
		}
	}
}
