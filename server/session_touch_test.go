package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/server"
	"espacepro/server/password"
	"espacepro/server/servertest"
)

// A session's last use is written at most once a minute, and the idle
// timeout stays within that minute of 30 minutes, never beyond.
func TestSessionTouchedOnceAMinute(t *testing.T) {
	for _, st := range []struct {
		name string
		open func(testing.TB) data.CentralStore
	}{
		{"SQLite", servertest.OpenSQLite},
		{"PostgreSQL", servertest.OpenPostgres},
	} {
		t.Run(st.name, func(t *testing.T) {
			e := servertest.Start(t, st.open(t))
			boulogne := data.Address{Number: "12", StreetType: "rue", StreetName: "de Billancourt", PostalCode: "92100", CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"}
			e.SeedActive(t, listed("92", "921", "92-2019-0042", "Lefèvre", "Hélène", boulogne), "helene@example.fr", agentPassword)
			token := e.Login(t, "helene@example.fr", agentPassword).Token
			lastSeen := func() time.Time {
				t.Helper()
				sess, err := e.Store.FindSession(context.Background(), password.HashToken(token))
				if err != nil {
					t.Fatal(err)
				}
				return sess.LastSeenAt
			}
			login := lastSeen()
			me := func() { t.Helper(); e.Want(t, http.StatusOK, "GET", "/api/v1/me", token, nil, nil) }

			// Calls within a minute of the recorded use write nothing.
			e.Clock.Advance(20 * time.Second)
			me()
			e.Clock.Advance(server.SessionTouchEvery - 21*time.Second)
			me()
			if got := lastSeen(); !got.Equal(login) {
				t.Fatalf("last use %s rewritten within a minute of %s", got, login)
			}
			// The first call a minute after it writes it.
			e.Clock.Advance(time.Second)
			me()
			touched := lastSeen()
			if !touched.Equal(login.Add(server.SessionTouchEvery)) {
				t.Fatalf("last use %s, want %s", touched, login.Add(server.SessionTouchEvery))
			}
			// A call 59 s later is not written: the session ends 30 minutes
			// after the recorded use, 29 min 1 s after that last call.
			e.Clock.Advance(59 * time.Second)
			me()
			e.Clock.Advance(data.SessionIdle - 59*time.Second - time.Millisecond)
			me() // 29:59.999 after the recorded use: still open (and written)
			e.Clock.Advance(data.SessionIdle - time.Millisecond)
			me()
			e.Clock.Advance(data.SessionIdle)
			servertest.WantError(t, e.Do(t, "GET", "/api/v1/me", token, nil), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
		})
	}
}
