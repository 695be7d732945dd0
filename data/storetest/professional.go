package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"espacepro/data"
)

// professionalFinder is what the central store and the local copy share for
// reading professionals.
type professionalFinder interface {
	FindProfessionalByID(ctx context.Context, id string) (*data.Professional, error)
	FindProfessionals(ctx context.Context, f data.ProfessionalFilter) ([]*data.Professional, int, error)
}

// putProfessional stores p in a store under test: created on the central
// store, saved with an ID of the test's own on the local copy.
type putProfessional func(t *testing.T, ctx context.Context, p *data.Professional)

func centralPut(s data.CentralStore) putProfessional {
	return func(t *testing.T, ctx context.Context, p *data.Professional) {
		t.Helper()
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional %s", p.DisplayName())
	}
}

// testProfessionals runs the professional subtests of the central store.
func testProfessionals(t *testing.T, open func(t *testing.T) data.CentralStore) {
	t.Run("CreateSetsIDAndTimes", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		before := time.Now().Add(-time.Second)
		p := newProfessional(1)
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		if p.ID == "" {
			t.Fatal("CreateProfessional left ID empty")
		}
		if p.CreatedAt.Before(before) || p.UpdatedAt.Before(before) {
			t.Errorf("CreateProfessional set CreatedAt %s, UpdatedAt %s: want the current time", showTime(p.CreatedAt), showTime(p.UpdatedAt))
		}
		if p.UpdatedAt.Before(p.CreatedAt) {
			t.Errorf("UpdatedAt %s is before CreatedAt %s", showTime(p.UpdatedAt), showTime(p.CreatedAt))
		}
		q := newProfessional(2)
		must(t, s.CreateProfessional(ctx, q), "CreateProfessional second")
		if q.ID == p.ID {
			t.Errorf("two professionals got the same ID %q", p.ID)
		}
	})

	t.Run("RoundTripChildminder", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p := childminder("92", "921", "AGR-92/2019-0042", "N'Diaye-Œillet", "Hélène", boulogne, data.Listed, data.HabilitationActive)
		p.Phone, p.Email, p.PlacesAgreed = "0612345678", "helene.ndiaye@example.fr", 4
		p.AgrementDate = data.Date{Year: 2019, Month: time.March, Day: 14}
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		got, err := s.FindProfessionalByID(ctx, p.ID)
		must(t, err, "FindProfessionalByID")
		wantEqual(t, "childminder", p, got)
	})

	t.Run("RoundTripStructure", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p := structure("92", "921", "Crèche « L'Île aux Œillets »", nanterre, data.Delisted, data.HabilitationRequested)
		p.Civility, p.LastName, p.FirstName = data.CivilityM, "Lefèvre", "Jérôme" // the contact person
		p.Capacity, p.OpeningHours = 42, "Lun–ven 7h30–19h ; fermé en août"
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		got, err := s.FindProfessionalByID(ctx, p.ID)
		must(t, err, "FindProfessionalByID")
		wantEqual(t, "structure", p, got)
		if !got.AgrementDate.IsZero() || got.AgrementNumber != "" || got.PlacesAgreed != 0 {
			t.Errorf("structure without agrément came back with number %q, date %v, places %d", got.AgrementNumber, got.AgrementDate, got.PlacesAgreed)
		}
	})

	t.Run("FindByIDUnknown", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		must(t, s.CreateProfessional(ctx, newProfessional(1)), "CreateProfessional")
		for _, id := range unknownIDs {
			p, err := s.FindProfessionalByID(ctx, id)
			wantCode(t, err, data.ENOTFOUND, "FindProfessionalByID(%q)", id)
			if p != nil {
				t.Errorf("FindProfessionalByID(%q) returned %+v with its error", id, p)
			}
		}
	})

	t.Run("FindByAgrement", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		a := childminder("92", "921", "1234", "Dupont", "Hélène", boulogne, data.Listed, data.HabilitationActive)
		c := childminder("2A", "201", "1234", "Lefèvre", "Étienne", ajaccio, data.Listed, data.HabilitationNone)
		must(t, s.CreateProfessional(ctx, a), "CreateProfessional 92")
		must(t, s.CreateProfessional(ctx, c), "CreateProfessional 2A")
		got, err := s.FindProfessionalByAgrement(ctx, "92", "1234")
		must(t, err, "FindProfessionalByAgrement(92, 1234)")
		wantEqual(t, "childminder found by agrément in 92", a, got)
		got, err = s.FindProfessionalByAgrement(ctx, "2A", "1234")
		must(t, err, "FindProfessionalByAgrement(2A, 1234)")
		wantEqual(t, "childminder found by agrément in 2A", c, got)
		_, err = s.FindProfessionalByAgrement(ctx, "64", "1234")
		wantCode(t, err, data.ENOTFOUND, "FindProfessionalByAgrement of a number known only in other départements")
		_, err = s.FindProfessionalByAgrement(ctx, "92", "12345")
		wantCode(t, err, data.ENOTFOUND, "FindProfessionalByAgrement of an unknown number")
	})

	t.Run("DuplicateAgrementConflicts", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		a := childminder("92", "921", "1234", "Dupont", "Hélène", boulogne, data.Listed, data.HabilitationActive)
		must(t, s.CreateProfessional(ctx, a), "CreateProfessional")
		b := childminder("92", "921", "1234", "Martin", "Marie", colombes, data.Listed, data.HabilitationNone)
		err := s.CreateProfessional(ctx, b)
		wantCode(t, err, data.ECONFLICT, "CreateProfessional with an agrément number already used in the département")
		if b.ID != "" && b.ID != a.ID {
			_, err := s.FindProfessionalByID(ctx, b.ID)
			wantCode(t, err, data.ENOTFOUND, "FindProfessionalByID of the refused professional")
		}
		list, total, err := s.FindProfessionals(ctx, data.ProfessionalFilter{})
		must(t, err, "FindProfessionals")
		wantProfessionals(t, "every professional after the refused create", list, total, a)
		got, err := s.FindProfessionalByAgrement(ctx, "92", "1234")
		must(t, err, "FindProfessionalByAgrement")
		wantEqual(t, "first professional after the refused create", a, got)

		// The same number in another département is another childminder.
		c := childminder("64", "641", "1234", "Martin", "Marie", pau, data.Listed, data.HabilitationNone)
		must(t, s.CreateProfessional(ctx, c), "CreateProfessional with the number in another département")
	})

	t.Run("EmptyAgrementNeverConflicts", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		a := structure("92", "921", "Crèche Les Lutins", boulogne, data.Listed, data.HabilitationNone)
		b := structure("92", "921", "Micro-crèche Les Câlins", colombes, data.Listed, data.HabilitationNone)
		must(t, s.CreateProfessional(ctx, a), "CreateProfessional first structure")
		must(t, s.CreateProfessional(ctx, b), "CreateProfessional second structure without agrément number")
		b.OpeningHours = "7 h – 19 h"
		must(t, s.UpdateProfessional(ctx, b), "UpdateProfessional structure without agrément number")
	})

	t.Run("Update", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p := childminder("92", "921", "1234", "N'Diaye", "Aïssatou", boulogne, data.Listed, data.HabilitationActive)
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		other := newProfessional(7)
		must(t, s.CreateProfessional(ctx, other), "CreateProfessional other")
		created := *p
		time.Sleep(5 * time.Millisecond)

		p.Civility, p.LastName, p.FirstName = data.CivilityM, "Lefèvre", "Noël"
		p.AgrementNumber = "5678"
		p.Address = colombes
		p.Phone, p.Email = "0147000000", "noel.lefevre@example.fr"
		p.PlacesAgreed, p.AgrementDate = 3, data.Date{Year: 2024, Month: time.February, Day: 29}
		p.Listing, p.Habilitation = data.Delisted, data.HabilitationExpired
		p.CreatedAt = time.Time{} // the store keeps its own
		want := *p
		must(t, s.UpdateProfessional(ctx, p), "UpdateProfessional")
		got, err := s.FindProfessionalByID(ctx, p.ID)
		must(t, err, "FindProfessionalByID")
		if !sameInstant(got.CreatedAt, created.CreatedAt) {
			t.Errorf("UpdateProfessional changed CreatedAt from %s to %s", showTime(created.CreatedAt), showTime(got.CreatedAt))
		}
		if !got.UpdatedAt.Truncate(time.Millisecond).After(created.UpdatedAt.Truncate(time.Millisecond)) {
			t.Errorf("UpdateProfessional did not move UpdatedAt forward: was %s, now %s", showTime(created.UpdatedAt), showTime(got.UpdatedAt))
		}
		if !sameInstant(p.UpdatedAt, got.UpdatedAt) {
			t.Errorf("UpdateProfessional set UpdatedAt %s on its argument but stored %s", showTime(p.UpdatedAt), showTime(got.UpdatedAt))
		}
		want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
		wantEqual(t, "updated professional", &want, got)

		// The search keys follow the new name and number.
		list, total, err := s.FindProfessionals(ctx, data.ProfessionalFilter{Name: "lefevre"})
		must(t, err, "FindProfessionals by the new name")
		wantProfessionals(t, "search by the new name", list, total, got)
		list, total, err = s.FindProfessionals(ctx, data.ProfessionalFilter{Name: "diaye"})
		must(t, err, "FindProfessionals by the old name")
		wantProfessionals(t, "search by the old name", list, total)
		_, err = s.FindProfessionalByAgrement(ctx, "92", "1234")
		wantCode(t, err, data.ENOTFOUND, "FindProfessionalByAgrement of the old number")
		byNumber, err := s.FindProfessionalByAgrement(ctx, "92", "5678")
		must(t, err, "FindProfessionalByAgrement of the new number")
		wantEqual(t, "professional found by its new number", &want, byNumber)
		unchanged, err := s.FindProfessionalByID(ctx, other.ID)
		must(t, err, "FindProfessionalByID other")
		wantEqual(t, "other professional", other, unchanged)
	})

	t.Run("UpdateUnknown", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		must(t, s.CreateProfessional(ctx, newProfessional(1)), "CreateProfessional")
		for _, id := range unknownIDs {
			p := newProfessional(2)
			p.ID = id
			wantCode(t, s.UpdateProfessional(ctx, p), data.ENOTFOUND, "UpdateProfessional(%q)", id)
		}
		_, total, err := s.FindProfessionals(ctx, data.ProfessionalFilter{})
		must(t, err, "FindProfessionals")
		if total != 1 {
			t.Errorf("UpdateProfessional of an unknown ID changed the number of professionals to %d", total)
		}
	})

	t.Run("UpdateToDuplicateAgrementConflicts", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		a := childminder("92", "921", "1234", "Dupont", "Hélène", boulogne, data.Listed, data.HabilitationActive)
		b := childminder("92", "921", "5678", "Martin", "Marie", colombes, data.Listed, data.HabilitationNone)
		must(t, s.CreateProfessional(ctx, a), "CreateProfessional a")
		must(t, s.CreateProfessional(ctx, b), "CreateProfessional b")
		stored := *b
		changed := *b
		changed.AgrementNumber, changed.LastName = "1234", "Moreau"
		wantCode(t, s.UpdateProfessional(ctx, &changed), data.ECONFLICT, "UpdateProfessional to an agrément number already used")
		got, err := s.FindProfessionalByID(ctx, b.ID)
		must(t, err, "FindProfessionalByID")
		wantEqual(t, "professional after the refused update", &stored, got)
	})

	testFindProfessionals(t, func(t *testing.T) (professionalFinder, putProfessional) {
		s := open(t)
		return s, centralPut(s)
	})
}

// searchSet is the set of professionals the search subtests run on. In the
// documented order (normalised last name or structure name, then first
// name): D creche…, B dupont adele, A dupont helene, C eluard, G fabre,
// H lefevre, E n'diaye, F œillet.
type searchSet struct {
	A, B, C, D, E, F, G, H *data.Professional
}

func newSearchSet() searchSet {
	return searchSet{
		A: childminder("92", "921", "92-0001", "Dupont", "Hélène", boulogne, data.Listed, data.HabilitationActive),
		B: childminder("92", "921", "92-0002", "Dupont", "Adèle", boulogne, data.Listed, data.HabilitationNone),
		C: childminder("92", "921", "92-0003", "Éluard", "Paul", nanterre, data.Delisted, data.HabilitationExpired),
		D: structure("92", "921", "Crèche Les Œillets", nanterre, data.Listed, data.HabilitationRequested),
		E: childminder("92", "921", "92-0004", "N'Diaye", "Aïssatou", colombes, data.Listed, data.HabilitationSuspended),
		F: childminder("64", "641", "64-0001", "Œillet", "Marie", pau, data.Listed, data.HabilitationActive),
		G: childminder("64", "642", "64-0002", "Fabre", "Zoé", bayonne, data.Listed, data.HabilitationRevoked),
		H: childminder("2A", "201", "92-0001", "Lefèvre", "Étienne", ajaccio, data.Listed, data.HabilitationActive),
	}
}

// testFindProfessionals runs the search subtests; open returns a fresh store
// and the way to put a professional in it.
func testFindProfessionals(t *testing.T, open func(t *testing.T) (professionalFinder, putProfessional)) {
	setup := func(t *testing.T) (professionalFinder, context.Context, searchSet) {
		s, put := open(t)
		ctx := testContext(t)
		set := newSearchSet()
		// Stored in an order that is neither the expected one nor its reverse.
		for _, p := range []*data.Professional{set.E, set.A, set.H, set.C, set.F, set.B, set.G, set.D} {
			put(t, ctx, p)
		}
		return s, ctx, set
	}

	t.Run("FindProfessionals/Filters", func(t *testing.T) {
		s, ctx, x := setup(t)
		cases := []struct {
			name string
			f    data.ProfessionalFilter
			want []*data.Professional
		}{
			{"NoFilter", data.ProfessionalFilter{}, []*data.Professional{x.D, x.B, x.A, x.C, x.G, x.H, x.E, x.F}},
			{"CafCode921", data.ProfessionalFilter{CafCode: "921"}, []*data.Professional{x.D, x.B, x.A, x.C, x.E}},
			{"CafCode641", data.ProfessionalFilter{CafCode: "641"}, []*data.Professional{x.F}},
			{"CafCode642", data.ProfessionalFilter{CafCode: "642"}, []*data.Professional{x.G}},
			{"CafCodeUnknown", data.ProfessionalFilter{CafCode: "751"}, nil},
			{"Department64", data.ProfessionalFilter{Department: "64"}, []*data.Professional{x.G, x.F}},
			{"Department2A", data.ProfessionalFilter{Department: "2A"}, []*data.Professional{x.H}},
			{"PostalCode92100", data.ProfessionalFilter{PostalCode: "92100"}, []*data.Professional{x.B, x.A}},
			{"PostalCode92000", data.ProfessionalFilter{PostalCode: "92000"}, []*data.Professional{x.D, x.C}},
			{"CommuneINSEE92050", data.ProfessionalFilter{CommuneINSEE: "92050"}, []*data.Professional{x.D, x.C}},
			{"CommuneINSEE2A004", data.ProfessionalFilter{CommuneINSEE: "2A004"}, []*data.Professional{x.H}},
			{"AgrementNumberInTwoDepartments", data.ProfessionalFilter{AgrementNumber: "92-0001"}, []*data.Professional{x.A, x.H}},
			{"AgrementNumberAndDepartment", data.ProfessionalFilter{AgrementNumber: "92-0001", Department: "2A"}, []*data.Professional{x.H}},
			{"KindStructure", data.ProfessionalFilter{Kind: data.KindStructure}, []*data.Professional{x.D}},
			{"KindChildminder", data.ProfessionalFilter{Kind: data.KindChildminder}, []*data.Professional{x.B, x.A, x.C, x.G, x.H, x.E, x.F}},
			{"ListingDelisted", data.ProfessionalFilter{Listing: data.Delisted}, []*data.Professional{x.C}},
			{"ListingListed", data.ProfessionalFilter{Listing: data.Listed}, []*data.Professional{x.D, x.B, x.A, x.G, x.H, x.E, x.F}},
			{"HabilitationActive", data.ProfessionalFilter{Habilitation: data.HabilitationActive}, []*data.Professional{x.A, x.H, x.F}},
			{"HabilitationNone", data.ProfessionalFilter{Habilitation: data.HabilitationNone}, []*data.Professional{x.B}},
			{"HabilitationRequested", data.ProfessionalFilter{Habilitation: data.HabilitationRequested}, []*data.Professional{x.D}},
			{"HabilitationSuspended", data.ProfessionalFilter{Habilitation: data.HabilitationSuspended}, []*data.Professional{x.E}},
			{"HabilitationRevoked", data.ProfessionalFilter{Habilitation: data.HabilitationRevoked}, []*data.Professional{x.G}},
			{"HabilitationExpired", data.ProfessionalFilter{Habilitation: data.HabilitationExpired}, []*data.Professional{x.C}},
			{"Caf921ListedChildminders", data.ProfessionalFilter{CafCode: "921", Listing: data.Listed, Kind: data.KindChildminder}, []*data.Professional{x.B, x.A, x.E}},
			{"Caf921Name", data.ProfessionalFilter{CafCode: "921", Name: "dupont"}, []*data.Professional{x.B, x.A}},
			{"NamePrefixWithoutAccent", data.ProfessionalFilter{Name: "hel"}, []*data.Professional{x.A}},
			{"NameWithoutAccents", data.ProfessionalFilter{Name: "helene"}, []*data.Professional{x.A}},
			{"NameUpperCaseAccents", data.ProfessionalFilter{Name: "HÉLÈNE"}, []*data.Professional{x.A}},
			{"NameLastName", data.ProfessionalFilter{Name: "Dupont"}, []*data.Professional{x.B, x.A}},
			{"NameFirstNameAccent", data.ProfessionalFilter{Name: "adèle"}, []*data.Professional{x.B}},
			{"NameLastNameUpperCase", data.ProfessionalFilter{Name: "ÉLUARD"}, []*data.Professional{x.C}},
			{"NameLastNameUnaccented", data.ProfessionalFilter{Name: "eluard"}, []*data.Professional{x.C}},
			{"NameStructure", data.ProfessionalFilter{Name: "creche"}, []*data.Professional{x.D}},
			{"NameLigature", data.ProfessionalFilter{Name: "ŒILL"}, []*data.Professional{x.D, x.F}},
			{"NameLigatureLowerCase", data.ProfessionalFilter{Name: "œillet"}, []*data.Professional{x.D, x.F}},
			{"NameApostrophe", data.ProfessionalFilter{Name: "n'diaye"}, []*data.Professional{x.E}},
			{"NameDiaeresis", data.ProfessionalFilter{Name: "aissatou"}, []*data.Professional{x.E}},
			{"NameMiddle", data.ProfessionalFilter{Name: "fèvr"}, []*data.Professional{x.H}},
			{"NameFirstNameUnaccented", data.ProfessionalFilter{Name: "etienne"}, []*data.Professional{x.H}},
			{"NameNoMatch", data.ProfessionalFilter{Name: "zzz"}, nil},
			{"NameTypographicApostrophe", data.ProfessionalFilter{Name: "N’Diaye"}, []*data.Professional{x.E}},
			{"NamePercentIsNoWildcard", data.ProfessionalFilter{Name: "du%nt"}, nil},
			{"NameUnderscoreIsNoWildcard", data.ProfessionalFilter{Name: "d_pont"}, nil},
			{"NameNotInAddress", data.ProfessionalFilter{Name: "boulogne"}, nil},
		}
		for _, c := range cases {
			list, total, err := s.FindProfessionals(ctx, c.f)
			if err != nil {
				t.Errorf("%s: FindProfessionals(%+v): %v", c.name, c.f, err)
				continue
			}
			wantProfessionals(t, c.name, list, total, c.want...)
		}
	})

	t.Run("FindProfessionals/RecordsComplete", func(t *testing.T) {
		s, ctx, x := setup(t)
		list, _, err := s.FindProfessionals(ctx, data.ProfessionalFilter{})
		must(t, err, "FindProfessionals")
		want := []*data.Professional{x.D, x.B, x.A, x.C, x.G, x.H, x.E, x.F}
		if len(list) != len(want) {
			t.Fatalf("FindProfessionals returned %d professionals, want %d", len(list), len(want))
		}
		for i := range want {
			wantEqual(t, fmt.Sprintf("FindProfessionals item %d (%s)", i, want[i].DisplayName()), want[i], list[i])
		}
	})

	t.Run("FindProfessionals/Paging", func(t *testing.T) {
		s, ctx, x := setup(t)
		all := []*data.Professional{x.D, x.B, x.A, x.C, x.G, x.H, x.E, x.F}
		cases := []struct {
			offset, limit int
			want          []*data.Professional
		}{
			{0, 3, all[0:3]},
			{3, 3, all[3:6]},
			{6, 3, all[6:8]},
			{8, 3, nil},
			{20, 3, nil},
			{0, 0, all},
			{6, 0, all[6:8]},
			{2, 1, all[2:3]},
			{0, 100, all},
		}
		for _, c := range cases {
			list, total, err := s.FindProfessionals(ctx, data.ProfessionalFilter{Offset: c.offset, Limit: c.limit})
			if err != nil {
				t.Errorf("FindProfessionals(offset %d, limit %d): %v", c.offset, c.limit, err)
				continue
			}
			if total != len(all) {
				t.Errorf("FindProfessionals(offset %d, limit %d): total %d, want %d", c.offset, c.limit, total, len(all))
			}
			wantProfessionals(t, fmt.Sprintf("offset %d, limit %d", c.offset, c.limit), list, len(c.want), c.want...)
		}
		list, total, err := s.FindProfessionals(ctx, data.ProfessionalFilter{CafCode: "921", Offset: 1, Limit: 2})
		must(t, err, "FindProfessionals(Caf 921, offset 1, limit 2)")
		if total != 5 {
			t.Errorf("FindProfessionals(Caf 921, offset 1, limit 2): total %d, want 5", total)
		}
		wantProfessionals(t, "Caf 921, offset 1, limit 2", list, 2, x.B, x.A)
	})
}

// wantProfessionals checks that list holds want, in that order, and that
// total is the number of them.
func wantProfessionals(t testing.TB, what string, list []*data.Professional, total int, want ...*data.Professional) {
	t.Helper()
	if total != len(want) || !sameProfessionals(list, want) {
		t.Errorf("%s: got %s (total %d), want %s (total %d)", what, professionalNames(list), total, professionalNames(want), len(want))
	}
}

func sameProfessionals(a, b []*data.Professional) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] == nil || b[i] == nil || a[i].ID != b[i].ID {
			return false
		}
	}
	return true
}

func professionalNames(list []*data.Professional) string {
	names := make([]string, len(list))
	for i, p := range list {
		if p == nil {
			names[i] = "<nil>"
			continue
		}
		names[i] = p.DisplayName()
	}
	return "[" + strings.Join(names, ", ") + "]"
}
