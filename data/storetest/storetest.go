package storetest

import (
	"testing"

	"espacepro/data"
)

// RunCentral runs the contract suite against data.CentralStore
// implementations. open returns a fresh, empty, migrated store for each call;
// it registers its own cleanup with t.Cleanup.
func RunCentral(t *testing.T, open func(t *testing.T) data.CentralStore) {
	t.Run("Professional", func(t *testing.T) { testProfessionals(t, open) })
	t.Run("Availability", func(t *testing.T) { testAvailabilityCentral(t, open) })
	t.Run("Request", func(t *testing.T) { testRequests(t, open) })
	t.Run("Account", func(t *testing.T) { testAccounts(t, open) })
	t.Run("Session", func(t *testing.T) { testSessions(t, open) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open) })
	t.Run("Auth", func(t *testing.T) { testAuth(t, open) })
	t.Run("GuardedUpdate", func(t *testing.T) { testGuardedUpdates(t, open) })
	t.Run("SyncLog", func(t *testing.T) { testSyncLog(t, open) })
	t.Run("BulkWrites", func(t *testing.T) { testBulkWrites(t, open) })
	t.Run("PublicSearch", func(t *testing.T) { testPublicSearch(t, open) })
	t.Run("InTx", func(t *testing.T) { testTransactions(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
}

// RunLocal runs the local-store contract (the desktop's copy and its outbox).
// open returns a fresh, empty, migrated store for each call; it registers its
// own cleanup with t.Cleanup.
func RunLocal(t *testing.T, open func(t *testing.T) data.LocalStore) {
	testLocal(t, open)
}
