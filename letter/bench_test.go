package letter

import "testing"

// BenchmarkRender renders one letter (PDF and HTML) from a real calculation:
// the cost of a decision's letter in the robot's letter step.
func BenchmarkRender(b *testing.B) {
	for _, name := range []string{"approved-automated", "four-eyes"} {
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
