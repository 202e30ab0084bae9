package letter

import "testing"

// TestPageGuessDoesNotChangeTheLetter: the PDF is laid out from a guess of
// its page count (renderPDF); a wrong guess costs a second layout and
// changes no byte.
func TestPageGuessDoesNotChangeTheLetter(t *testing.T) {
	defer pageGuess.Store(pageGuess.Load())
	for name, in := range goldenCases(t) {
		var first Rendered
		for i, guess := range []int64{1, 3, 9, 0} {
			pageGuess.Store(guess)
			r, err := Render(in)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if i == 0 {
				first = r
				continue
			}
			if r.PDFSHA256 != first.PDFSHA256 {
				t.Errorf("%s: guessing %d pages gives another PDF than guessing 1", name, guess)
			}
		}
	}
}
