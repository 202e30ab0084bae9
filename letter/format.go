package letter

import (
	"strconv"
	"time"

	"github.com/bistand/bistand"
)

// nbsp is the thousands separator and the space before "kr": a no-break
// space, so that an amount is never split over two lines.
const nbsp = "\u00a0"

// minus is the true minus sign, as bistand.Money writes it.
const minus = "\u2212"

// FormatKronor formats an amount the way the letter's calculation table
// shows it: Swedish notation with a no-break space (U+00A0) between
// thousands, a decimal comma, always two decimals, a true minus sign
// (U+2212) and the unit: "12 345,00 kr", "−2 000,00 kr", "0,00 kr".
func FormatKronor(m bistand.Money) string { return kronor(m, true) }

// kronorShort formats an amount for a sentence: without decimals when the
// amount is whole kronor ("8 432 kr"), otherwise with two ("8 432,50 kr").
func kronorShort(m bistand.Money) string { return kronor(m, false) }

func kronor(m bistand.Money, decimals bool) string {
	u := uint64(m)
	b := make([]byte, 0, 32)
	if m < 0 {
		b = append(b, minus...)
		u = -u // two's complement: right for math.MinInt64 as well
	}
	digits := strconv.FormatUint(u/100, 10)
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, nbsp...)
		}
		b = append(b, digits[i])
	}
	if f := u % 100; decimals || f != 0 {
		b = append(b, ',', byte('0'+f/10), byte('0'+f%10))
	}
	b = append(b, nbsp+"kr"...)
	return string(b)
}

var monthNames = [...]string{
	time.January: "januari", time.February: "februari", time.March: "mars", time.April: "april",
	time.May: "maj", time.June: "juni", time.July: "juli", time.August: "augusti",
	time.September: "september", time.October: "oktober", time.November: "november", time.December: "december",
}

// monthText writes a month the Swedish way: "november 2026".
func monthText(m bistand.Month) string {
	return monthNames[m.MonthOfYear()] + " " + strconv.Itoa(m.Year())
}

// dateText writes a date in words: "25 november 2026".
func dateText(d bistand.Date) string {
	return strconv.Itoa(d.Day()) + " " + monthNames[d.MonthOfYear()] + " " + strconv.Itoa(d.Year())
}
