package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"espacepro/data"
)

// publicStates are every listing and habilitation state a professional can
// be in: the search must return exactly those VisibleToParents allows.
var (
	publicListings      = []data.Listing{data.Listed, data.Delisted}
	publicHabilitations = []data.Habilitation{data.HabilitationNone, data.HabilitationRequested,
		data.HabilitationActive, data.HabilitationSuspended, data.HabilitationRevoked, data.HabilitationExpired}
)

// publicSeed is what testPublicSearch stores: professionals of Boulogne in
// every state, structures, and others elsewhere.
type publicSeed struct {
	boulogne []*data.Professional // every professional of Boulogne-Billancourt, visible or not
	nanterre *data.Professional   // a visible childminder of Nanterre
	pau      *data.Professional   // a visible childminder of Pau
	full     *data.Availability   // what the first visible childminder of Boulogne saved
	global   *data.Availability   // a colour saved without any tab
}

func seedPublic(t *testing.T, s data.CentralStore, ctx context.Context) publicSeed {
	t.Helper()
	var seed publicSeed
	n := 0
	put := func(p *data.Professional) *data.Professional {
		t.Helper()
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional %s", p.DisplayName())
		return p
	}
	// Names out of order, with accents and a case that sorts differently
	// raw and normalised.
	names := []string{"Zidane", "élie", "Bernard", "Öztürk", "Dupont", "Abadie"}
	for _, l := range publicListings {
		for _, h := range publicHabilitations {
			n++
			p := childminder("92", "921", fmt.Sprintf("92-P%04d", n), names[n%len(names)], firstNames[n%len(firstNames)], boulogne, l, h)
			p.Email = fmt.Sprintf("publique%d@example.fr", n)
			seed.boulogne = append(seed.boulogne, put(p))
		}
	}
	for i, name := range []string{"Micro-crèche Les Lutins", "Crèche À petits pas", "crèche Bambins"} {
		h := data.HabilitationActive
		if i == 2 {
			h = data.HabilitationSuspended
		}
		seed.boulogne = append(seed.boulogne, put(structure("92", "921", name, boulogne, data.Listed, h)))
	}
	seed.nanterre = put(childminder("92", "921", "92-P9001", "Moreau", "Céline", nanterre, data.Listed, data.HabilitationActive))
	seed.pau = put(childminder("64", "641", "64-P9002", "Etcheverry", "Maite", pau, data.Listed, data.HabilitationNone))

	var visible []*data.Professional
	for _, p := range seed.boulogne {
		if p.VisibleToParents() && p.Kind == data.KindChildminder {
			visible = append(visible, p)
		}
	}
	seed.full = fullAvailability(visible[0].ID)
	seed.full.Weeks = append(seed.full.Weeks, data.Week{Monday: monday3, Use: true, Grid: sampleGrid(2), Places: data.PlacesOf(1)})
	must(t, s.SaveAvailability(ctx, seed.full), "SaveAvailability")
	seed.global = &data.Availability{ProfessionalID: visible[1].ID, Global: data.ColourRed}
	must(t, s.SaveAvailability(ctx, seed.global), "SaveAvailability")
	// Hidden people's availability must not leak into anyone's.
	for _, p := range seed.boulogne {
		if !p.VisibleToParents() {
			a := fullAvailability(p.ID)
			a.Weeks = append(a.Weeks, data.Week{Monday: monday1.AddDays(-7), Use: true, Grid: sampleGrid(5)})
			must(t, s.SaveAvailability(ctx, a), "SaveAvailability of a hidden professional")
		}
	}
	return seed
}

// wantPublicOrder returns the IDs of list that VisibleToParents allows, in
// the order the search promises: structures, then childminders, each by
// normalised name then ID.
func wantPublicOrder(list []*data.Professional) []string {
	var visible []*data.Professional
	for _, p := range list {
		if p.VisibleToParents() {
			visible = append(visible, p)
		}
	}
	key := func(p *data.Professional) string {
		kind, last := "1", p.LastName
		if p.Kind == data.KindStructure {
			kind, last = "0", p.StructureName
		}
		return kind + "\x00" + data.NormalizeName(last) + "\x00" + data.NormalizeName(p.FirstName) + "\x00" + p.ID
	}
	for i := 1; i < len(visible); i++ {
		for j := i; j > 0 && key(visible[j]) < key(visible[j-1]); j-- {
			visible[j], visible[j-1] = visible[j-1], visible[j]
		}
	}
	ids := make([]string, len(visible))
	for i, p := range visible {
		ids[i] = p.ID
	}
	return ids
}

func listingIDs(list []data.PublicListing) []string {
	ids := make([]string, len(list))
	for i, l := range list {
		ids[i] = l.Professional.ID
	}
	return ids
}

func testPublicSearch(t *testing.T, open func(t *testing.T) data.CentralStore) {
	t.Run("OnlyVisibleInOrder", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		seed := seedPublic(t, s, ctx)
		got, err := s.FindPublicListings(ctx, []string{boulogne.CommuneINSEE}, 0, 0)
		must(t, err, "FindPublicListings")
		want := wantPublicOrder(seed.boulogne)
		if strings.Join(listingIDs(got), " ") != strings.Join(want, " ") {
			t.Errorf("FindPublicListings(Boulogne) returned %d professionals %v, want %d %v", len(got), listingIDs(got), len(want), want)
		}
		for _, l := range got {
			p := l.Professional
			if !p.VisibleToParents() {
				t.Errorf("%s (%s, %s) is hidden from parents but returned", p.DisplayName(), p.Listing, p.Habilitation)
			}
			if p.Email != "" || p.AgrementNumber != "" || !p.AgrementDate.IsZero() {
				t.Errorf("%s: e-mail %q, agrément %q %v returned: parents never see them", p.DisplayName(), p.Email, p.AgrementNumber, p.AgrementDate)
			}
		}
		if len(got) < 2 || got[0].Professional.Kind != data.KindStructure || got[1].Professional.Kind != data.KindStructure {
			t.Errorf("the two visible structures do not come first: %v", listingIDs(got))
		}
	})

	t.Run("FicheFields", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		seed := seedPublic(t, s, ctx)
		got, err := s.FindPublicListings(ctx, []string{boulogne.CommuneINSEE}, 0, 0)
		must(t, err, "FindPublicListings")
		for _, l := range got {
			stored, err := s.FindProfessionalByID(ctx, l.Professional.ID)
			must(t, err, "FindProfessionalByID")
			want := *stored
			want.Email, want.AgrementNumber, want.AgrementDate, want.CreatedAt = "", "", data.Date{}, l.Professional.CreatedAt
			wantEqual(t, "public fiche of "+want.DisplayName(), &want, l.Professional)
		}
		if len(got) == 0 {
			t.Fatalf("no listing among %d seeded", len(seed.boulogne))
		}
	})

	t.Run("AvailabilityComplete", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		seed := seedPublic(t, s, ctx)
		got, err := s.FindPublicListings(ctx, []string{boulogne.CommuneINSEE}, 0, 0)
		must(t, err, "FindPublicListings")
		seen := 0
		for _, l := range got {
			switch l.Professional.ID {
			case seed.full.ProfessionalID:
				seen++
				wantEqual(t, "availability with weeks and dated tabs", sorted(seed.full), l.Availability)
			case seed.global.ProfessionalID:
				seen++
				wantEqual(t, "availability with a colour only", seed.global, l.Availability)
			default:
				if l.Availability != nil {
					t.Errorf("%s never saved anything, got %+v", l.Professional.DisplayName(), l.Availability)
				}
			}
		}
		if seen != 2 {
			t.Errorf("found %d of the 2 professionals who saved availability", seen)
		}
	})

	t.Run("Communes", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		seed := seedPublic(t, s, ctx)
		got, err := s.FindPublicListings(ctx, []string{nanterre.CommuneINSEE, boulogne.CommuneINSEE, nanterre.CommuneINSEE, ""}, 0, 0)
		must(t, err, "FindPublicListings")
		want := wantPublicOrder(append(append([]*data.Professional{}, seed.boulogne...), seed.nanterre))
		if strings.Join(listingIDs(got), " ") != strings.Join(want, " ") {
			t.Errorf("FindPublicListings(Nanterre, Boulogne) = %v, want %v", listingIDs(got), want)
		}
		for _, communes := range [][]string{nil, {}, {""}, {"99999"}, {colombes.CommuneINSEE}} {
			got, err := s.FindPublicListings(ctx, communes, 0, 0)
			must(t, err, "FindPublicListings(%q)", communes)
			if len(got) != 0 {
				t.Errorf("FindPublicListings(%q) = %v, want none", communes, listingIDs(got))
			}
		}
		got, err = s.FindPublicListings(ctx, []string{pau.CommuneINSEE}, 0, 0)
		must(t, err, "FindPublicListings(Pau)")
		if len(got) != 1 || got[0].Professional.ID != seed.pau.ID {
			t.Errorf("FindPublicListings(Pau) = %v, want [%s]", listingIDs(got), seed.pau.ID)
		}
	})

	t.Run("Pages", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		seed := seedPublic(t, s, ctx)
		// Namesakes, so that only the IDs order them: a page must cut
		// between them where the next one starts.
		for i := range 8 {
			last, first := "Dupont", "Anne"
			if i%2 == 1 {
				last, first = "DUPONT", "anne"
			}
			h := data.HabilitationActive
			if i == 5 {
				h = data.HabilitationSuspended // a hidden namesake, never counted
			}
			p := childminder("92", "921", fmt.Sprintf("92-P8%03d", i), last, first, boulogne, data.Listed, h)
			must(t, s.CreateProfessional(ctx, p), "CreateProfessional namesake %d", i)
			seed.boulogne = append(seed.boulogne, p)
		}
		want := wantPublicOrder(seed.boulogne)
		communes := []string{boulogne.CommuneINSEE}
		for _, size := range []int{1, 2, 3, 5, len(want), len(want) + 5} {
			var all []string
			for offset := 0; offset < len(want)+size; offset += size {
				got, err := s.FindPublicListings(ctx, communes, offset, size)
				must(t, err, "FindPublicListings(offset %d, limit %d)", offset, size)
				w := want[min(offset, len(want)):min(offset+size, len(want))]
				if strings.Join(listingIDs(got), " ") != strings.Join(w, " ") {
					t.Errorf("FindPublicListings(offset %d, limit %d) = %v, want %v", offset, size, listingIDs(got), w)
				}
				for _, l := range got {
					all = append(all, l.Professional.ID)
					switch l.Professional.ID {
					case seed.full.ProfessionalID:
						wantEqual(t, fmt.Sprintf("availability at offset %d, limit %d", offset, size), sorted(seed.full), l.Availability)
					case seed.global.ProfessionalID:
						wantEqual(t, fmt.Sprintf("colour at offset %d, limit %d", offset, size), seed.global, l.Availability)
					default:
						if l.Availability != nil {
							t.Errorf("offset %d, limit %d: %s never saved anything, got %+v", offset, size, l.Professional.DisplayName(), l.Availability)
						}
					}
				}
			}
			if strings.Join(all, " ") != strings.Join(want, " ") {
				t.Errorf("pages of %d list %v, want each once in order %v", size, all, want)
			}
		}
		// The same page twice is the same page.
		first, err := s.FindPublicListings(ctx, communes, 3, 4)
		must(t, err, "FindPublicListings")
		again, err := s.FindPublicListings(ctx, communes, 3, 4)
		must(t, err, "FindPublicListings")
		if strings.Join(listingIDs(first), " ") != strings.Join(listingIDs(again), " ") {
			t.Errorf("the same page read twice: %v, then %v", listingIDs(first), listingIDs(again))
		}
		// No limit, or an offset alone.
		got, err := s.FindPublicListings(ctx, communes, 4, 0)
		must(t, err, "FindPublicListings(offset 4, no limit)")
		if strings.Join(listingIDs(got), " ") != strings.Join(want[4:], " ") {
			t.Errorf("FindPublicListings(offset 4, no limit) = %v, want %v", listingIDs(got), want[4:])
		}
		got, err = s.FindPublicListings(ctx, communes, -3, 2)
		must(t, err, "FindPublicListings(offset -3)")
		if strings.Join(listingIDs(got), " ") != strings.Join(want[:2], " ") {
			t.Errorf("FindPublicListings(offset -3, limit 2) = %v, want %v", listingIDs(got), want[:2])
		}
	})

	t.Run("Count", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		seed := seedPublic(t, s, ctx)
		want := len(wantPublicOrder(seed.boulogne))
		if hidden := len(seed.boulogne) - want; hidden < 5 {
			t.Fatalf("the seed hides only %d professionals of Boulogne", hidden)
		}
		communes := []string{boulogne.CommuneINSEE}
		for atMost, w := range map[int]int{0: want, -1: want, 1: 1, 3: 3, want: want, want + 1: want, 1000: want} {
			n, err := s.CountPublicListings(ctx, communes, atMost)
			must(t, err, "CountPublicListings(at most %d)", atMost)
			if n != w {
				t.Errorf("CountPublicListings(Boulogne, at most %d) = %d, want %d", atMost, n, w)
			}
		}
		n, err := s.CountPublicListings(ctx, []string{nanterre.CommuneINSEE, boulogne.CommuneINSEE, nanterre.CommuneINSEE, ""}, 0)
		must(t, err, "CountPublicListings(Nanterre, Boulogne)")
		if n != want+1 {
			t.Errorf("CountPublicListings(Nanterre, Boulogne) = %d, want %d", n, want+1)
		}
		for _, communes := range [][]string{nil, {}, {""}, {"99999"}, {colombes.CommuneINSEE}} {
			n, err := s.CountPublicListings(ctx, communes, 0)
			must(t, err, "CountPublicListings(%q)", communes)
			if n != 0 {
				t.Errorf("CountPublicListings(%q) = %d, want 0", communes, n)
			}
		}
		// Hidden people are never counted: a commune of hidden people only
		// counts none, and hiding one counts one less.
		for i, h := range []data.Habilitation{data.HabilitationSuspended, data.HabilitationRevoked} {
			p := childminder("92", "921", fmt.Sprintf("92-P7%03d", i), "Caché", "Jeanne", colombes, data.Listed, h)
			must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		}
		must(t, s.CreateProfessional(ctx, childminder("92", "921", "92-P7100", "Retiré", "Jeanne", colombes, data.Delisted, data.HabilitationActive)), "CreateProfessional")
		if n, err := s.CountPublicListings(ctx, []string{colombes.CommuneINSEE}, 0); err != nil || n != 0 {
			t.Errorf("CountPublicListings(Colombes, everyone hidden) = %d, %v; want 0", n, err)
		}
		p, err := s.FindProfessionalByID(ctx, seed.full.ProfessionalID)
		must(t, err, "FindProfessionalByID")
		p.Listing = data.Delisted
		must(t, s.UpdateProfessional(ctx, p), "UpdateProfessional")
		if n, err := s.CountPublicListings(ctx, communes, 0); err != nil || n != want-1 {
			t.Errorf("after delisting %s, CountPublicListings(Boulogne) = %d, %v; want %d", p.DisplayName(), n, err, want-1)
		}
		// Too many communes is refused by both, as one search.
		many := make([]string, 501)
		for i := range many {
			many[i] = fmt.Sprintf("%05d", 10000+i)
		}
		if _, err := s.CountPublicListings(ctx, many, 0); data.ErrorCode(err) != data.EINVALID {
			t.Errorf("CountPublicListings(501 communes): %v, want %s", err, data.EINVALID)
		}
		if _, err := s.FindPublicListings(ctx, many, 0, 30); data.ErrorCode(err) != data.EINVALID {
			t.Errorf("FindPublicListings(501 communes): %v, want %s", err, data.EINVALID)
		}
	})

	t.Run("FollowsChanges", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		seed := seedPublic(t, s, ctx)
		p, err := s.FindProfessionalByID(ctx, seed.full.ProfessionalID)
		must(t, err, "FindProfessionalByID")
		p.Habilitation = data.HabilitationSuspended
		must(t, s.UpdateProfessional(ctx, p), "UpdateProfessional")
		got, err := s.FindPublicListings(ctx, []string{boulogne.CommuneINSEE}, 0, 0)
		must(t, err, "FindPublicListings")
		for _, l := range got {
			if l.Professional.ID == p.ID {
				t.Errorf("%s was suspended but is still returned", p.DisplayName())
			}
		}
		p.Habilitation, p.Address = data.HabilitationActive, nanterre
		must(t, s.UpdateProfessional(ctx, p), "UpdateProfessional")
		got, err = s.FindPublicListings(ctx, []string{nanterre.CommuneINSEE}, 0, 0)
		must(t, err, "FindPublicListings(Nanterre)")
		if ids := listingIDs(got); len(ids) != 2 || (ids[0] != p.ID && ids[1] != p.ID) {
			t.Errorf("after her move to Nanterre, FindPublicListings(Nanterre) = %v, want her and %s", ids, seed.nanterre.ID)
		}
	})
}
