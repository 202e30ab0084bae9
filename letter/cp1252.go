package letter

// Windows-1252 (cp1252), the single-byte encoding of the letter's fast
// path: the PDF's fonts are then simple TrueType fonts with
// /WinAnsiEncoding (fonts/*-cp1252.*), which cost a fraction of the
// Unicode fonts to embed. See renderPDF.
//
// The fast fonts have one character more than Windows-1252: the minus sign
// U+2212, which FormatKronor writes before a negative amount, at minusCode,
// a code Windows-1252 leaves undefined. Their /Encoding is
// /WinAnsiEncoding with /Differences [129 /minus] (fonts/gen.go makes them
// so), and a reader maps the glyph name minus back to U+2212.

// minusCode is the code of U+2212 MINUS SIGN in the fast fonts; fonts/gen.go
// puts the glyph minus there.
const minusCode = 0x81

// cp1252High holds the characters of codes 0x80–0x9F; 0 where Windows-1252
// assigns none (0x81, 0x8D, 0x8F, 0x90, 0x9D). Codes 0x20–0x7E are ASCII
// and 0xA0–0xFF are U+00A0–U+00FF.
var cp1252High = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

// cp1252Codes maps the characters of cp1252High to their codes, and the
// minus sign to minusCode.
var cp1252Codes = func() map[rune]byte {
	m := make(map[rune]byte, len(cp1252High)+1)
	for i, r := range cp1252High {
		if r != 0 {
			m[r] = byte(0x80 + i)
		}
	}
	m['\u2212'] = minusCode
	return m
}()

// cp1252Code returns the code of a printable character in the fast fonts'
// encoding (Windows-1252, and U+2212 at minusCode), and false for a
// character the encoding does not have (and for control characters, which a
// letter never holds).
func cp1252Code(r rune) (byte, bool) {
	if r >= 0x20 && r < 0x7f || r >= 0xa0 && r <= 0xff {
		return byte(r), true
	}
	c, ok := cp1252Codes[r]
	return c, ok
}

// toCP1252 returns s (UTF-8) in the fast fonts' encoding (Windows-1252 and
// U+2212), and false if s holds a character that encoding does not have; it
// then returns "". ASCII text comes back as it is, without a copy.
func toCP1252(s string) (string, bool) {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s, true
	}
	b := make([]byte, i, len(s))
	copy(b, s[:i])
	for _, r := range s[i:] {
		c, ok := cp1252Code(r)
		if !ok {
			return "", false
		}
		b = append(b, c)
	}
	return string(b), true
}
