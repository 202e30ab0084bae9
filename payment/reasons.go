package payment

// reasonsSwedish are the meanings, in Swedish for a caseworker, of the ISO
// external status reason codes a bank is likely to give for a rejected
// credit transfer. From the ISO 20022 ExternalStatusReason1Code list as we
// know it; not re-verified against the published list.
var reasonsSwedish = map[string]string{
	"AC01": "felaktigt kontonummer",
	"AC03": "felaktigt konto hos mottagaren",
	"AC04": "kontot är avslutat",
	"AC06": "kontot är spärrat",
	"AC13": "felaktig kontotyp",
	"AG01": "betalningen är inte tillåten till kontot",
	"AG02": "ogiltig betalningskod",
	"AM01": "beloppet är noll",
	"AM02": "beloppet är högre än tillåtet",
	"AM04": "otillräckligt saldo på kommunens konto",
	"AM05": "banken bedömer betalningen som en dubblett",
	"BE01": "mottagarens namn stämmer inte med kontot",
	"BE04": "mottagarens adress saknas eller är felaktig",
	"CNOR": "mottagarens bank kan inte nås",
	"DT01": "ogiltigt datum",
	"DU01": "meddelandet har redan tagits emot (dubblett)",
	"DU02": "betalningsgruppen har redan tagits emot (dubblett)",
	"DU03": "betalningen har redan tagits emot (dubblett)",
	"DU04": "EndToEndId har redan tagits emot (dubblett)",
	"DU05": "InstrId har redan tagits emot (dubblett)",
	"FF01": "filen följer inte formatet",
	"MD07": "mottagaren är avliden",
	"MS02": "mottagaren har inte angett orsak",
	"MS03": "banken har inte angett orsak",
	"NARR": "se bankens förklaring",
	"RC01": "felaktig BIC",
	"RR01": "uppgifter om avsändarens konto saknas (regelverk)",
	"RR02": "avsändarens namn eller adress saknas (regelverk)",
	"RR03": "mottagarens namn eller adress saknas (regelverk)",
	"RR04": "stoppad av regelverk",
}

// ReasonSwedish returns what a status reason code means, in Swedish, or ""
// for a code this package does not know.
func ReasonSwedish(code string) string { return reasonsSwedish[code] }
