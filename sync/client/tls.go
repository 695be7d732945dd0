package client

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"espacepro/data"
)

// The client trusts the service's certificate only when it can verify it
// (DESIGN.md §4): against a CA file (the system's roots are not used: the
// desktop talks to one known service), or by its pinned SHA-256 fingerprint.
// With both, the certificate must pass both.

// Fingerprint returns the SHA-256 fingerprint of cert as the service prints
// it: upper-case hex bytes separated by colons.
func Fingerprint(cert *x509.Certificate) string { return fingerprintOf(cert.Raw) }

func fingerprintOf(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// NormalizeFingerprint reads a SHA-256 fingerprint as people copy it (any
// case, with colons, spaces or nothing between the bytes) and returns it
// in Fingerprint's form.
func NormalizeFingerprint(s string) (string, error) {
	clean := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != sha256.Size {
		return "", data.Errorf(data.EINVALID, "Empreinte de certificat « %s » invalide : 32 octets en hexadécimal sont attendus (64 chiffres, séparés ou non par « : »).", s)
	}
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":"), nil
}

// CertificateError says that the service's certificate was refused. Its
// message is French and gives the fingerprint received (and, with a pin,
// the one expected), so that the user can tell her IT service what she
// saw. It unwraps to an EUNAVAILABLE *data.Error with that message.
type CertificateError struct {
	Got  string // fingerprint of the certificate the server presented
	Want string // the pinned fingerprint ("" when checked against a CA file)
	// Reason is why the CA check failed (English, from crypto/x509).
	Reason string
}

// Error returns the French message.
func (e *CertificateError) Error() string {
	if e.Want != "" {
		return fmt.Sprintf("Le certificat présenté par le serveur n'est pas celui attendu : la connexion est refusée. "+
			"Empreinte reçue : %s. Empreinte attendue : %s. Si le certificat du serveur a été changé, "+
			"faites confirmer la nouvelle empreinte par votre service informatique avant de la configurer.", e.Got, e.Want)
	}
	got := ""
	if e.Got != "" {
		got = " Empreinte reçue : " + e.Got + "."
	}
	return "Le certificat présenté par le serveur n'a pas pu être vérifié avec l'autorité de certification configurée : " +
		"la connexion est refusée." + got + " Vérifiez l'adresse du serveur et le fichier d'autorité auprès de votre service informatique."
}

// Unwrap returns the domain error of the same message.
func (e *CertificateError) Unwrap() error {
	return &data.Error{Code: data.EUNAVAILABLE, Message: e.Error()}
}

// tlsConfig builds the TLS configuration of cfg: a CA pool, a pin, or both.
func tlsConfig(cfg Config) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	want := ""
	if strings.TrimSpace(cfg.Fingerprint) != "" {
		var err error
		if want, err = NormalizeFingerprint(cfg.Fingerprint); err != nil {
			return nil, err
		}
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, data.Errorf(data.EINVALID, "Fichier d'autorité de certification « %s » illisible : %v.", cfg.CAFile, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, data.Errorf(data.EINVALID, "Le fichier « %s » ne contient aucun certificat au format PEM.", cfg.CAFile)
		}
		conf.RootCAs = pool
	}
	switch {
	case want == "" && cfg.CAFile == "":
		return nil, data.Errorf(data.EINVALID, "Indiquez l'empreinte du certificat du serveur ou un fichier d'autorité de certification : sans l'un ou l'autre, le certificat du serveur ne peut pas être vérifié.")
	case want != "":
		// The pin replaces the chain check when there is no CA file; with
		// one, the chain is checked first and the pin after it.
		conf.InsecureSkipVerify = cfg.CAFile == ""
		conf.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return &CertificateError{Want: want}
			}
			if got := fingerprintOf(raw[0]); got != want {
				return &CertificateError{Got: got, Want: want}
			}
			return nil
		}
	}
	return conf, nil
}

// certificateError returns the CertificateError in err's chain, building
// one from a failed CA check; nil when err is not about the certificate.
func certificateError(err error) *CertificateError {
	var ce *CertificateError
	if errors.As(err, &ce) {
		return ce
	}
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) {
		ce = &CertificateError{Reason: ve.Err.Error()}
		if len(ve.UnverifiedCertificates) > 0 {
			ce.Got = Fingerprint(ve.UnverifiedCertificates[0])
		}
		return ce
	}
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) {
		return &CertificateError{Reason: err.Error()}
	}
	return nil
}
