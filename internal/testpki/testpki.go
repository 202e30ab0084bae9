// Package testpki makes, for tests, a small public key infrastructure of
// the kind the registers' mutual TLS uses: a CA, a server certificate for
// 127.0.0.1, a client certificate from the same CA, and a client
// certificate from another CA that the server must refuse. Keys are ECDSA
// P-256, valid for an hour around now. Nothing here is for production.
package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is what New makes: the server's side in memory, the client's as PEM
// files (as a deployment configures them).
type PKI struct {
	CAPool                  *x509.CertPool
	CAFile                  string          // the CA certificate, PEM
	Server                  tls.Certificate // for 127.0.0.1
	ClientCert, ClientKey   string          // PEM files, issued by the CA
	ForeignCert, ForeignKey string          // PEM files, issued by another CA
}

// New makes a PKI under t's temporary directory.
func New(t testing.TB) *PKI {
	t.Helper()
	dir := t.TempDir()
	ca, caKey, caDER := newCA(t, "Test register CA")
	p := &PKI{CAPool: x509.NewCertPool(), CAFile: filepath.Join(dir, "ca.pem")}
	p.CAPool.AddCert(ca)
	writePEM(t, p.CAFile, "CERTIFICATE", caDER)

	der, key := issue(t, ca, caKey, 2, "127.0.0.1", x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")})
	p.Server = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}

	write := func(name string, der []byte, key *ecdsa.PrivateKey) (string, string) {
		kd, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		c, k := filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
		writePEM(t, c, "CERTIFICATE", der)
		writePEM(t, k, "EC PRIVATE KEY", kd)
		return c, k
	}
	der, key = issue(t, ca, caKey, 3, "Demo kommun", x509.ExtKeyUsageClientAuth, nil)
	p.ClientCert, p.ClientKey = write("client", der, key)
	other, otherKey, _ := newCA(t, "Another CA")
	der, key = issue(t, other, otherKey, 4, "Impostor", x509.ExtKeyUsageClientAuth, nil)
	p.ForeignCert, p.ForeignKey = write("foreign", der, key)
	return p
}

// ServerTLS is the server's configuration: it requires a client
// certificate from the CA, with TLS 1.2 up to maxVersion (0: the default).
func (p *PKI) ServerTLS(maxVersion uint16) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.Server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.CAPool,
		MinVersion: tls.VersionTLS12, MaxVersion: maxVersion}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func newCA(t testing.TB, name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key, der
}

func issue(t testing.TB, ca *x509.Certificate, caKey *ecdsa.PrivateKey, serial int64, name string, usage x509.ExtKeyUsage, ips []net.IP) ([]byte, *ecdsa.PrivateKey) {
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}
