package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"

	"github.com/bistand/bistand/rules"
)

// The household the no-argument run explains: a family of four in the demo
// municipality, in the latest month the rules cover. Synthetic data only.
//
//go:embed example.json
var exampleHousehold []byte

type demoCmd struct{}

func (demoCmd) run(_ context.Context, m *Main) error {
	h, err := rules.ParseHouseholdBytes(exampleHousehold)
	if err != nil {
		return fmt.Errorf("embedded example: %w", err)
	}
	res, err := rules.Default().Calculate(h, rules.Options{Trace: true})
	if err != nil {
		return fmt.Errorf("embedded example: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("bistand — ekonomiskt bistånd efter öppna regler.\n\n")
	b.WriteString("Exempel: ett påhittat hushåll i Demoköping. Samma beräkning som JSON: bistand calc cmd/bistand/example.json\n\n")
	if err := rules.WriteText(&b, res); err != nil {
		return err
	}
	b.WriteString("\n" + usage)
	_, err = m.Stdout.Write(b.Bytes())
	return err
}
