package main

import (
	"bufio"
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/navet"
	"github.com/bistand/bistand/population"
	"github.com/bistand/bistand/ssbtek"
)

// TestSimCommand starts the real `bistand sim` and asks it, with the real
// clients, about people of the same synthetic population.
func TestSimCommand(t *testing.T) {
	cmd := exec.Command(binPath, "sim", "--addr", "127.0.0.1:0", "--seed", "5", "--households", "200", "--today", "2026-11-20")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("sim exit: %v", err)
		}
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(line, "http://")
	if !ok {
		t.Fatalf("no address in %q", line)
	}
	base := "http://" + strings.Fields(rest)[0]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	pop := population.New(5, 200)
	client := ssbtek.NewClient(ssbtek.Config{URL: base + "/ssbtek", OrgNumber: "2120009994", OrgName: "Demoköpings kommun", AktorsID: "demo"})
	paid := 0
	for i := range 20 {
		h := pop.Household(i)
		ans, err := client.Fetch(ctx, ssbtek.Request{Person: h.Members[0].Number, CaseID: "case-sim-test", Caseworker: "test",
			From: bistand.MustDate(2026, 9, 1), To: bistand.MustDate(2026, 11, 30)})
		if err != nil {
			t.Fatalf("household %d: %v", i, err)
		}
		// The registers hold what was paid within the period asked about and
		// by the simulator's today (a late payment for August paid on
		// 3 September is in it).
		want := 0
		for mo := bistand.MustMonth(2026, 8); mo <= bistand.MustMonth(2026, 11); mo++ {
			for _, p := range pop.Payments(h, 0, mo, bistand.MustDate(2026, 11, 20)) {
				if !p.PaidOn.Before(bistand.MustDate(2026, 9, 1)) {
					want++
				}
			}
		}
		got := len(ans.Payments())
		if h.FailsSource == "" && got != want {
			t.Errorf("household %d: %d payments, the population has %d", i, got, want)
		}
		paid += got
	}
	if paid == 0 {
		t.Error("no payments at all")
	}
	nav, err := navet.NewClient(navet.Config{URL: base + "/navet", OrgNumber: "2120009994", Purpose: "Handläggning av ekonomiskt bistånd"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := nav.Lookup(ctx, pop.Household(0).Members[0].Number, "case-sim-test")
	if err != nil || p.Number != pop.Household(0).Members[0].Number {
		t.Fatalf("navet: %+v %v", p, err)
	}
	if _, err := nav.Lookup(ctx, population.New(99, 1).Household(0).Members[0].Number, "case-sim-test"); !errors.Is(err, navet.ErrNotFound) {
		t.Errorf("someone outside the population: %v", err)
	}
}
