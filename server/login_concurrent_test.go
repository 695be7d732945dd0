package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"espacepro/data"
	"espacepro/server/servertest"
	"espacepro/sync/wire"
)

// One person logging in on two computers at once gets two sessions: the
// login whose update of the account loses the race reads it again instead
// of answering 409 (PostgreSQL runs at read committed; SQLite serializes).
func TestConcurrentLoginsOfOneAccount(t *testing.T) {
	for name, open := range map[string]func(testing.TB) data.CentralStore{
		"SQLite": servertest.OpenSQLite, "PostgreSQL": servertest.OpenPostgres,
	} {
		t.Run(name, func(t *testing.T) {
			e := servertest.Start(t, open(t))
			e.CreateAgent(t, "921", "agent@caf92.example.fr", "Claire", "Moreau", "Deux postes à la fois")
			body, _ := json.Marshal(wire.LoginRequest{Email: "agent@caf92.example.fr", Password: "Deux postes à la fois"})
			// Four computers log in ten times each, at the same time.
			const computers, rounds = 4, 10
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				failures []string
			)
			for range computers {
				wg.Go(func() {
					for range rounds {
						status, res, err := post(e.Client, e.URL+"/api/v1/session", body)
						if err != nil || status != http.StatusCreated {
							mu.Lock()
							failures = append(failures, fmt.Sprintf("%d %s %v", status, res, err))
							mu.Unlock()
						}
					}
				})
			}
			wg.Wait()
			if len(failures) > 0 {
				t.Errorf("%d of %d logins failed, e.g. %s", len(failures), computers*rounds, failures[0])
			}
		})
	}
}
