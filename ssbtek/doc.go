// Package ssbtek is a client for SSBTEK v10, Försäkringskassan's
// "Sammansatt bastjänst för ekonomiskt bistånd": one SOAP 1.1 call that
// gives a municipality's social services what seven registers know about
// one person for a period. Use is limited by law to handling ekonomiskt
// bistånd; access needs an agreement and a client certificate (mutual TLS,
// see TLSConfig).
//
// # Calls
//
// Client.Fetch calls hamtaBastjanstInformation and Client.Test calls
// testaBastjanstInformation. A call's error is for a failure of the whole
// call only (see Fetch and IsRetryable); each source's own failure stays in
// the Answer, so one failing source never costs the others their data, and
// a source error always reaches the caller (never an empty answer).
//
// # The request
//
// Written exactly as sammansatt_bastjanst_v10.xsd says: every element
// qualified in http://schema.forsakringskassan.se/integration/ssbt/10, in
// the schema's order. generellaFrageparametrar carries frageTidpunkt (now),
// korrelationsid, fraganSkallInkluderasISvaret false, ingivare
// (organisationsnummer in the contract's twelve digits, the municipality's
// name, the caseworker), personidentitet (twelve digits), arendeidentitet
// (the case), tidsperiod, syfte and lagtext (Config.Purpose and
// LegalBasis, by default DefaultPurpose and DefaultLegalBasis). No
// personuppgiftsbiträde is sent. specifikaFrageparametrar has all seven
// sources, inkludera true for those asked; FK carries fraga{version v9,
// aktorsid, lefiJsonFraga}: base64 of the LEFI query
//
//	{"personnummer": "YYYYMMDDNNNC", "period": {"from": …, "tom": …},
//	 "formansinformation": the FK: groups of LEFIGroups,
//	 "beslut": the PM: groups of LEFIGroups,
//	 "preliminaraUtbetalningar": LEFIGroups, "utbetalningar": LEFIGroups}
//
// — LEFI's two payment sections and its decisions, for the groups handling
// försörjningsstöd needs and nothing more. LEFI 9 gives
// Försäkringskassan's decisions inside its ärenden (asked in
// formansinformation) and asks Pensionsmyndighetens in beslut, which takes
// PM: groups only. The sources' own tidsperiod is not used: every source
// is asked for the request's period.
//
// # What is read from each source
//
//   - FK (LEFI JSON, base64): formansinformation.utbetalningsuppgift
//     (made) and .preliminarautbetalningar (planned) as Payments of Source
//     FK, or PM when foretag is 1003; Benefit is formansfamilj.id, PaidOn
//     datum, From/To period (a month "2022-09" is its first/last day),
//     Gross/Tax/Net bruttobelopp/skattebelopp/nettobelopp.summa (SEK only).
//     utbetalningar and preliminaraUtbetalningar (Pensionsmyndigheten's
//     model) as Payments of Source PM: Benefit the förmånsgrupp of the
//     utbetalningsrader without "PM:" (the largest if several), PaidOn
//     utbetalningsdatum, From/To utbetalningsperiod, Gross/Net
//     brutto/nettobelopp (whole kronor), Tax the avdrag PM:PS, PM:PST,
//     PM:SS and PM:SST. Decisions: the beslut of Försäkringskassan's
//     ärenden of the groups asked (barnbidragsarende ABB,
//     bostadsbidragsarende BOB, underhallsstodsmottag US,
//     sjukpenningarende SJP, foraldrapenningarende FP,
//     aktivitetsstodsarende AS; the rest of an ärende, such as its
//     grunduppgifter, and underhallsstodskrav, what the person owes, are
//     not read) as Decisions of Source FK — DecidedOn fattades, Final
//     definitivt, Status/Outcome sjukpenning's beslutstyp/beslutsutfall
//     (Outcome AVSLAG for an ärende avslaget), one DecidedAmount: Kind
//     förmån[/delförmån], From/To period (open when till is missing),
//     Gross beslutatBruttobelopp (SEK) with Frequency from periodicitet, or
//     for sjukpenning and föräldrapenning the sum of the ersattningsdagar's
//     amounts for the period, Days dagar — and Pensionsmyndighetens beslut
//     as Decisions of Source PM: ID beslutsid, DecidedOn beslutsdatum,
//     Status beslutsstatus (Final when SLUTLIGT), Outcome beslutsutfall,
//     one DecidedAmount per beslutadErsattning (Kind the ersättningstyp
//     without "PM:", From/To period, Gross belopp in whole kronor,
//     Frequency beloppsfrekvens). Every utlämnare whose tillstånd is not
//     OK and every avvikelse becomes a Gap.
//   - SO (the unemployment funds): each Arbetsloshetsersattning is a Fund
//     (name, status, suspensions, application); each Utbetalningar a
//     Payment{Benefit "ALE", PaidOn Utbetalningsdatum, Net NettoEfterSkatt,
//     From/To AvserFrom/AvserTom} with Gross and Tax zero: the funds give
//     the net after tax only.
//   - CSN (CSNSvar XML, base64; namespaces v3.0 or v4.0): a
//     CSNStatus (result, whether CSN knows the person, sekretess, the
//     support kinds, every case with its granted periods) and, from every
//     case's UtbetalningsPlan, Payments (utbetstatus Utbetald/UTBETALAD)
//     and Planned (Planerad): Benefit by kind (SM studiemedel, SH
//     studiehjälp, HUT hemutrustningslån, SSS studiestartsstöd, OSS
//     omställningsstudiestöd), PaidOn utbetdatum, Net = Gross = totbelopp
//     (whole kronor, grant and loan together), From/To the first start week
//     and last end week (ISO weeks YYYYWW, Monday to Sunday; YYYYMMDD read
//     as a date).
//   - AF: AFStatus — registration (Arbetssokande, category, dates, extent),
//     the last activity report, the fund, economic decisions,
//     Sekretessmarkering, status code and text. Names are not kept.
//   - SKV (XML text in svar): CapitalIncome per Kapitaluppgift. Names are
//     not kept.
//   - TNS: Vehicles; resultat FEL becomes the source's error (kalla BT,
//     the first felkod, every feltext).
//   - MIV: Permits, one per svar.
//
// A value that cannot be read exactly (an amount with a fraction of an
// öre, a date that does not exist) makes its item a Gap (CodeMalformed);
// data that cannot be read at all (bad base64, JSON or XML) makes the
// source's error (KallaClient, CodeMalformed). Amounts are parsed from
// their text into öre and never pass through a float. Every identity a
// source echoes (AF, SO, SKV, MIV, CSN) is compared with the person asked
// about: a source answering about someone else gets CodeWrongPerson and its
// data is dropped. The response's korrelationsid, if any, must be the
// request's.
//
// # Safety
//
// Every document read is bounded to 16 MiB and parsed with encoding/xml
// and encoding/json (no external entities, bounded depth); the parsers are
// fuzzed. The package logs nothing, and its errors never carry a
// personnummer: texts from the service are shown with every run of ten or
// more digits replaced by "[nummer]" (the fields keep them verbatim: do not
// log those).
package ssbtek
