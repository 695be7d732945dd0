package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"espacepro/data"
	"espacepro/server/servertest"
	"espacepro/sync/wire"
)

// Throughput of the central service over real HTTPS on loopback, with
// keep-alive, several clients at once (b.RunParallel: GOMAXPROCS × -cpu
// goroutines). Run with `go test ./server/ -run '^$' -bench 'Login|SubmitRequest'`; the
// PostgreSQL variants need ESPACEPRO_TEST_POSTGRES.

var benchStores = []struct {
	name string
	open func(b *testing.B) data.CentralStore
}{
	{"SQLite", func(b *testing.B) data.CentralStore { return servertest.OpenSQLite(b) }},
	{"PostgreSQL", func(b *testing.B) data.CentralStore { return servertest.OpenPostgres(b) }},
}

// post sends a JSON body and reads the whole answer; it is safe in
// RunParallel's goroutines, where b.Fatal is not.
func post(c *http.Client, url string, body []byte) (int, []byte, error) {
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// BenchmarkLogin opens sessions with a right password (argon2id
// verification, a session row, the account's last login): no failure, so
// the login throttle, which counts failures per client address (all
// loopback here), never steps in.
func BenchmarkLogin(b *testing.B) {
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			e := servertest.Start(b, st.open(b))
			e.CreateAgent(b, "921", agent921Email, "Claire", "Moreau", agentPassword)
			body, _ := json.Marshal(wire.LoginRequest{Email: agent921Email, Password: agentPassword})
			var failed atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					status, res, err := post(e.Client, e.URL+"/api/v1/session", body)
					if err != nil || status != http.StatusCreated {
						if failed.Add(1) == 1 {
							b.Errorf("login: %d %s %v", status, res, err)
						}
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkSubmitRequest issues a captcha, reads its answer from the
// store and submits a habilitation request that matches a listed
// childminder; the service stores it, audits it and mails a confirmation
// through SMTP (STARTTLS and AUTH on each mail) before it answers. One
// operation is two HTTPS calls.
func BenchmarkSubmitRequest(b *testing.B) {
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			e := servertest.Start(b, st.open(b))
			e.SeedProfessional(b, listed("92", "921", "92-2019-0042", "Lefèvre", "Hélène",
				data.Address{Number: "12 bis", StreetType: "rue", StreetName: "de l'Église", PostalCode: "92100", CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"}))
			var failed atomic.Int64
			fail := func(format string, args ...any) {
				if failed.Add(1) == 1 {
					b.Errorf(format, args...)
				}
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					status, res, err := post(e.Client, e.URL+"/api/v1/captcha", nil)
					var c wire.Captcha
					if err != nil || status != http.StatusCreated || json.Unmarshal(res, &c) != nil {
						fail("captcha: %d %s %v", status, res, err)
						continue
					}
					digits, err := e.Store.FindCaptcha(b.Context(), c.ID, e.Clock.Now())
					if err != nil {
						fail("captcha answer: %v", err)
						continue
					}
					answer := make([]byte, len(digits))
					for i, d := range digits {
						answer[i] = '0' + d
					}
					form := heleneForm()
					form.CaptchaID, form.CaptchaAnswer = c.ID, string(answer)
					body, _ := json.Marshal(form)
					status, res, err = post(e.Client, e.URL+"/api/v1/requests", body)
					if err != nil || status != http.StatusCreated {
						fail("submit: %d %s %v", status, res, err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
			b.ReportMetric(2*float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
