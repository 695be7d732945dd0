package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"espacepro/data"
)

// newRequest returns a childminder's habilitation request as the form makes
// it, received by the Caf of her commune.
func newRequest(dept, caf, last, first string, addr data.Address) *data.Request {
	return &data.Request{
		Kind:          data.KindChildminder,
		Civility:      data.CivilityMme,
		LastName:      last,
		FirstName:     first,
		Address:       addr,
		Phone:         "0612345678",
		Email:         "demande." + caf + "@example.fr",
		Department:    dept,
		CafCode:       caf,
		State:         data.RequestReceived,
		Match:         data.MatchNone,
		RefusalReason: "",
	}
}

// testRequests runs the request subtests of the central store.
func testRequests(t *testing.T, open func(t *testing.T) data.CentralStore) {
	t.Run("CreateSetsIDAndTimes", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		before := time.Now().Add(-time.Second)
		r := newRequest("92", "921", "Dupont", "Hélène", boulogne)
		must(t, s.CreateRequest(ctx, r), "CreateRequest")
		if r.ID == "" {
			t.Fatal("CreateRequest left ID empty")
		}
		if r.CreatedAt.Before(before) || r.UpdatedAt.Before(r.CreatedAt) {
			t.Errorf("CreateRequest set CreatedAt %s, UpdatedAt %s", showTime(r.CreatedAt), showTime(r.UpdatedAt))
		}
		r2 := newRequest("92", "921", "Dupont", "Hélène", boulogne)
		must(t, s.CreateRequest(ctx, r2), "CreateRequest again")
		if r2.ID == r.ID {
			t.Errorf("two requests got the same ID %q", r.ID)
		}
	})

	t.Run("RoundTrip", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p := newProfessional(1)
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		matched := newRequest("92", "921", "N'Diaye", "Aïssatou", boulogne)
		matched.Civility, matched.AgrementNumber = data.CivilityM, "92-000001"
		matched.State, matched.ProfessionalID, matched.Match = data.RequestLetter, p.ID, data.MatchAuto
		must(t, s.CreateRequest(ctx, matched), "CreateRequest matched")
		got, err := s.FindRequestByID(ctx, matched.ID)
		must(t, err, "FindRequestByID")
		wantEqual(t, "matched request", matched, got)

		st := newRequest("92", "921", "Lefèvre", "Jérôme", nanterre)
		st.Kind, st.Civility, st.StructureName = data.KindStructure, data.CivilityM, "Crèche « L'Île aux Œillets »"
		must(t, s.CreateRequest(ctx, st), "CreateRequest structure")
		got, err = s.FindRequestByID(ctx, st.ID)
		must(t, err, "FindRequestByID structure")
		wantEqual(t, "unmatched structure request", st, got)
		if got.ProfessionalID != "" || got.Match != data.MatchNone {
			t.Errorf("unmatched request came back with ProfessionalID %q, Match %q", got.ProfessionalID, got.Match)
		}

		for _, id := range unknownIDs {
			r, err := s.FindRequestByID(ctx, id)
			wantCode(t, err, data.ENOTFOUND, "FindRequestByID(%q)", id)
			if r != nil {
				t.Errorf("FindRequestByID(%q) returned %+v with its error", id, r)
			}
		}
	})

	t.Run("Update", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p := newProfessional(1)
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		r := newRequest("92", "921", "Dupont", "Hélène", boulogne)
		must(t, s.CreateRequest(ctx, r), "CreateRequest")
		other := newRequest("92", "921", "Martin", "Marie", colombes)
		must(t, s.CreateRequest(ctx, other), "CreateRequest other")
		created := *r
		time.Sleep(5 * time.Millisecond)

		r.State, r.ProfessionalID, r.Match = data.RequestAgreement, p.ID, data.MatchAgent
		r.LastName, r.Address, r.Phone = "Dupont-Éluard", colombes, "0147000000"
		r.CreatedAt = time.Time{}
		must(t, s.UpdateRequest(ctx, r), "UpdateRequest")
		got, err := s.FindRequestByID(ctx, r.ID)
		must(t, err, "FindRequestByID")
		if !sameInstant(got.CreatedAt, created.CreatedAt) {
			t.Errorf("UpdateRequest changed CreatedAt from %s to %s", showTime(created.CreatedAt), showTime(got.CreatedAt))
		}
		if !got.UpdatedAt.Truncate(time.Millisecond).After(created.UpdatedAt.Truncate(time.Millisecond)) {
			t.Errorf("UpdateRequest did not move UpdatedAt forward: was %s, now %s", showTime(created.UpdatedAt), showTime(got.UpdatedAt))
		}
		if !sameInstant(r.UpdatedAt, got.UpdatedAt) {
			t.Errorf("UpdateRequest set UpdatedAt %s on its argument but stored %s", showTime(r.UpdatedAt), showTime(got.UpdatedAt))
		}
		want := *r
		want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
		wantEqual(t, "updated request", &want, got)

		// Refused, and the match undone.
		r.State, r.RefusalReason, r.ProfessionalID, r.Match = data.RequestRefused, "Numéro d'agrément inconnu de la PMI : « 92-000001 ».", "", data.MatchNone
		must(t, s.UpdateRequest(ctx, r), "UpdateRequest refused")
		got, err = s.FindRequestByID(ctx, r.ID)
		must(t, err, "FindRequestByID refused")
		want = *r
		want.CreatedAt = got.CreatedAt
		wantEqual(t, "refused request", &want, got)

		unchanged, err := s.FindRequestByID(ctx, other.ID)
		must(t, err, "FindRequestByID other")
		wantEqual(t, "other request", other, unchanged)

		for _, id := range unknownIDs {
			u := newRequest("92", "921", "Moreau", "Julie", boulogne)
			u.ID = id
			wantCode(t, s.UpdateRequest(ctx, u), data.ENOTFOUND, "UpdateRequest(%q)", id)
		}
	})

	t.Run("FindRequests", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p1, p2 := newProfessional(1), newProfessional(2)
		must(t, s.CreateProfessional(ctx, p1), "CreateProfessional")
		must(t, s.CreateProfessional(ctx, p2), "CreateProfessional")

		r1 := newRequest("92", "921", "Dupont", "Hélène", boulogne)
		r1.ProfessionalID, r1.Match = p1.ID, data.MatchAuto
		r2 := newRequest("2A", "201", "Lefèvre", "Étienne", ajaccio)
		r3 := newRequest("92", "921", "Moreau", "Julie", nanterre)
		r3.Kind, r3.StructureName, r3.State = data.KindStructure, "Crèche Les Œillets", data.RequestLetter
		r4 := newRequest("92", "921", "Martin", "Chloé", colombes)
		r4.State, r4.RefusalReason = data.RequestRefused, "Demande en double."
		r5 := newRequest("92", "921", "N'Diaye", "Aïssatou", colombes)
		r5.State, r5.ProfessionalID, r5.Match = data.RequestValidated, p2.ID, data.MatchAgent
		for _, r := range []*data.Request{r1, r2, r3, r4, r5} {
			must(t, s.CreateRequest(ctx, r), "CreateRequest %s", r.DisplayName())
			time.Sleep(3 * time.Millisecond) // newest first needs distinct times
		}

		cases := []struct {
			name string
			f    data.RequestFilter
			want []*data.Request
		}{
			{"NoFilter", data.RequestFilter{}, []*data.Request{r5, r4, r3, r2, r1}},
			{"CafCode921", data.RequestFilter{CafCode: "921"}, []*data.Request{r5, r4, r3, r1}},
			{"CafCode201", data.RequestFilter{CafCode: "201"}, []*data.Request{r2}},
			{"CafCodeUnknown", data.RequestFilter{CafCode: "641"}, nil},
			{"StateReceived", data.RequestFilter{State: data.RequestReceived}, []*data.Request{r2, r1}},
			{"StateLetter", data.RequestFilter{State: data.RequestLetter}, []*data.Request{r3}},
			{"StateRefused", data.RequestFilter{State: data.RequestRefused}, []*data.Request{r4}},
			{"StateAgreement", data.RequestFilter{State: data.RequestAgreement}, nil},
			{"Unmatched", data.RequestFilter{Unmatched: true}, []*data.Request{r4, r3, r2}},
			{"UnmatchedCaf921", data.RequestFilter{Unmatched: true, CafCode: "921"}, []*data.Request{r4, r3}},
			{"UnmatchedReceived", data.RequestFilter{Unmatched: true, State: data.RequestReceived}, []*data.Request{r2}},
			{"NameUnaccented", data.RequestFilter{Name: "helene"}, []*data.Request{r1}},
			{"NameUpperCase", data.RequestFilter{Name: "DUPONT"}, []*data.Request{r1}},
			{"NameStructure", data.RequestFilter{Name: "CRECHE"}, []*data.Request{r3}},
			{"NameStructureContact", data.RequestFilter{Name: "julie"}, []*data.Request{r3}},
			{"NameFirstName", data.RequestFilter{Name: "étienne"}, []*data.Request{r2}},
			{"NameApostrophe", data.RequestFilter{Name: "n'diaye"}, []*data.Request{r5}},
			{"NameAndCaf", data.RequestFilter{Name: "lef", CafCode: "921"}, nil},
			{"NamePercentIsNoWildcard", data.RequestFilter{Name: "du%nt"}, nil},
		}
		for _, c := range cases {
			list, total, err := s.FindRequests(ctx, c.f)
			if err != nil {
				t.Errorf("%s: FindRequests(%+v): %v", c.name, c.f, err)
				continue
			}
			wantRequests(t, c.name, list, total, len(c.want), c.want...)
		}

		all := []*data.Request{r5, r4, r3, r2, r1}
		list, _, err := s.FindRequests(ctx, data.RequestFilter{})
		must(t, err, "FindRequests")
		if len(list) == len(all) {
			for i := range all {
				wantEqual(t, fmt.Sprintf("FindRequests item %d", i), all[i], list[i])
			}
		}
		pages := []struct {
			offset, limit int
			want          []*data.Request
		}{
			{0, 2, all[0:2]}, {2, 2, all[2:4]}, {4, 2, all[4:5]}, {5, 2, nil}, {3, 0, all[3:5]},
		}
		for _, pg := range pages {
			list, total, err := s.FindRequests(ctx, data.RequestFilter{Offset: pg.offset, Limit: pg.limit})
			if err != nil {
				t.Errorf("FindRequests(offset %d, limit %d): %v", pg.offset, pg.limit, err)
				continue
			}
			wantRequests(t, fmt.Sprintf("offset %d, limit %d", pg.offset, pg.limit), list, total, len(all), pg.want...)
		}
		list, total, err := s.FindRequests(ctx, data.RequestFilter{CafCode: "921", Offset: 1, Limit: 2})
		must(t, err, "FindRequests(Caf 921, offset 1, limit 2)")
		wantRequests(t, "Caf 921, offset 1, limit 2", list, total, 4, r4, r3)
	})
}

// wantRequests checks that list holds want in that order and that total is
// wantTotal.
func wantRequests(t testing.TB, what string, list []*data.Request, total, wantTotal int, want ...*data.Request) {
	t.Helper()
	same := len(list) == len(want)
	for i := 0; same && i < len(list); i++ {
		same = list[i] != nil && list[i].ID == want[i].ID
	}
	if !same || total != wantTotal {
		t.Errorf("%s: got %s (total %d), want %s (total %d)", what, requestNames(list), total, requestNames(want), wantTotal)
	}
}

func requestNames(list []*data.Request) string {
	names := make([]string, len(list))
	for i, r := range list {
		if r == nil {
			names[i] = "<nil>"
			continue
		}
		names[i] = r.DisplayName()
	}
	return "[" + strings.Join(names, ", ") + "]"
}
