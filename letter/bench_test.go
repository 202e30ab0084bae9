package letter

import "testing"

// BenchmarkRender renders one letter (PDF and HTML) from a real calculation:
// the cost of a decision's letter in the robot's letter step. All three are
// in the fast fonts (Windows-1252 and the minus sign, which fonts/gen.go
// makes); the partly approved one shows a deduction with a minus sign
// (U+2212), which until the fast fonts had it made it a letter in the
// Unicode fonts, at their cost.
func BenchmarkRender(b *testing.B) {
	for _, name := range []string{"approved-automated", "four-eyes", "partly-approved-rent-cap"} {
		in := goldenCases(b)[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Render(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
