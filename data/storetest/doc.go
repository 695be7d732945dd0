// Package storetest is the one contract test suite that every store of
// package data must pass: the central store on SQLite and on PostgreSQL
// (RunCentral, BenchCentral) and the desktop's local copy (RunLocal). The
// storage packages call it from their own _test.go files:
//
//	func TestContract(t *testing.T) {
//		storetest.RunCentral(t, func(t *testing.T) data.CentralStore {
//			s := openFreshMigratedStore(t)
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Each behaviour is a subtest that opens a fresh, empty store. Subtests do not
// run in parallel: the PostgreSQL tests share one server.
//
// Where the doc comments of data's interfaces leave a choice open, the suite
// fixes it as follows, and every store must match:
//
//   - Times. Stores keep at least millisecond precision and truncate, never
//     round; the suite compares times with time.Equal after truncating both
//     sides to the millisecond. A zero time.Time (PasswordExpiresAt,
//     LockedUntil, LastLoginAt, an unset AgrementDate…) comes back zero. The
//     location of a returned time does not matter. The store's clock is the
//     wall clock: the suite sleeps a few milliseconds where it needs two
//     writes to get different times.
//   - Create* sets ID, CreatedAt and UpdatedAt on the value passed in, and
//     those are the values later read back. Update* keeps the stored
//     CreatedAt whatever the argument holds, sets a new UpdatedAt (later than
//     the previous one) and writes it back into the argument. Update* of an
//     unknown ID is ENOTFOUND.
//   - Unknown IDs. Looking up an ID that does not exist is ENOTFOUND, whether
//     or not the ID is well formed (an ID from a URL may be anything): the
//     suite tries a UUID and a plain word.
//   - Agrément numbers. (Department, AgrementNumber) is unique among
//     professionals whose AgrementNumber is not empty: a second one, by
//     create or by update, is ECONFLICT and writes nothing. Professionals
//     without a number (structures) never conflict.
//   - Name matching (ProfessionalFilter.Name, RequestFilter.Name): the
//     data.NormalizeName form of Name is a substring of the data.NormalizeName
//     form of the last name, the first name or the structure name (a store
//     may also match across them). So case, accents and punctuation do not
//     count: « HÉLÈNE », « helene » and « hel » find « Hélène », « œill »
//     finds « Œillet », « N’Diaye » (typographic apostrophe) finds
//     « N'Diaye ». The characters % and _ are never LIKE wildcards:
//     « d_pont » does not find « Dupont ».
//   - Professional order ("ordered by name"): by data.NormalizeName of the
//     last name — a structure's StructureName standing in for its last name —
//     then of the first name, then by ID; keys compare byte-wise (COLLATE "C"
//     on PostgreSQL), so that SQLite and PostgreSQL agree.
//   - Paging. For every filter, Limit 0 means no limit, Offset applies with or
//     without a Limit, and the total counts every match whatever the page.
//   - Requests are listed newest first by CreatedAt. A request is "unmatched"
//     when its ProfessionalID is empty (its Match is then MatchNone).
//   - Accounts are listed by e-mail, ascending. FindAccountByEmail receives
//     the normalised (lower-case) address; an e-mail used by another account,
//     by create or by update, is ECONFLICT.
//   - Sessions: the caller sets ID, CreatedAt and LastSeenAt. FindSession
//     does not check expiry. DeleteExpiredSessions deletes exactly the
//     sessions for which data.Session.Expired(now) is true (an idle time or
//     an age equal to the limit is over) and returns how many.
//   - Audit: AppendAudit sets ID (strictly increasing) and At when zero, on
//     the entry passed in; an At given is kept. FindAudit lists newest first
//     by At, then by ID descending; Since is inclusive, Until exclusive.
//   - Availability: FindAvailability returns Weeks sorted by Monday and Dated
//     sorted by Date, ascending, and ProfessionalID set. Places distinguishes
//     nil from 0. A save replaces each tab it holds as a whole (a Places that
//     becomes nil is stored nil). Any invalid part — colour, week, dated tab,
//     cell, places — makes the whole call EINVALID and writes nothing. On the
//     central store, saving the availability of an unknown professional is
//     ENOTFOUND.
//   - InTx returns fn's error (errors.Is finds it). When fn panics, InTx
//     either panics again (preferred) or returns an error; in both cases
//     nothing fn did is kept and the store stays usable.
//   - Outbox (local store): Seq is set by the store and increases with every
//     entry appended; PendingOutbox returns entries by Seq ascending whatever
//     their attempts. CreatedAt is set by the store when zero and kept when
//     given. Payload is opaque bytes (any byte value, NUL included) and comes
//     back exact. An outbox ID that is already in the outbox is an error and
//     the call writes nothing. FailOutbox adds one to Attempts and replaces
//     LastError. RejectOutbox keeps the entry's fields (Attempts and
//     LastError included) and sets Code, Message and RejectedAt; FindRejected
//     lists newest first by RejectedAt.
//   - Local copy: SaveProfessional stores p exactly as given (its ID and
//     times come from the central service) and replaces an existing copy
//     with the same ID. FindAvailability of a professional absent from the
//     local copy is ENOTFOUND, as on the central store.
package storetest
