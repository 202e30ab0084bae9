package sim_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/bistand/bistand/internal/testpki"
	"github.com/bistand/bistand/navet"
	"github.com/bistand/bistand/navet/sim"
)

// TestMutualTLS: the Navet client and the simulator over HTTPS where the
// server requires a client certificate, with certificates the test makes:
// the municipality's certificate is let in and gets the same answer as over
// plain HTTP; no certificate, or one of another CA, is refused.
func TestMutualTLS(t *testing.T) {
	p := testpki.New(t)
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(version), func(t *testing.T) {
			srv := httptest.NewUnstartedServer(sim.NewNavet(pop, sim.Options{}))
			srv.TLS = p.ServerTLS(version)
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below
			srv.StartTLS()
			defer srv.Close()
			client := func(certFile, keyFile string) *navet.Client {
				tc := &tls.Config{RootCAs: p.CAPool, MinVersion: tls.VersionTLS12}
				if certFile != "" {
					cert, err := tls.LoadX509KeyPair(certFile, keyFile)
					if err != nil {
						t.Fatal(err)
					}
					tc.Certificates = []tls.Certificate{cert}
				}
				c, err := navet.NewClient(navet.Config{URL: srv.URL + "/navet", OrgNumber: testOrg, Purpose: testPurpose,
					HTTPClient: &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 10 * time.Second}})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			n := pop.Household(0).Members[0].Number
			got, err := client(p.ClientCert, p.ClientKey).Lookup(context.Background(), n, "case-tls")
			if err != nil {
				t.Fatalf("with the municipality's certificate: %v", err)
			}
			if want := expected(t, n); !reflect.DeepEqual(*got, want) {
				t.Errorf("over mutual TLS:\n got %#v\nwant %#v", *got, want)
			}
			if _, err := client("", "").Lookup(context.Background(), n, "case-tls"); err == nil {
				t.Error("a client without a certificate was let in")
			}
			if _, err := client(p.ForeignCert, p.ForeignKey).Lookup(context.Background(), n, "case-tls"); err == nil {
				t.Error("a client certificate of another CA was let in")
			}
		})
	}
}
