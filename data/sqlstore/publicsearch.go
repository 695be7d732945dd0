package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"espacepro/data"
)

// publicVisible is data.Professional.VisibleToParents in SQL, written with
// literals: SQLite uses a partial index only when the query repeats its
// WHERE word for word, and the index professionals_public_order (migration
// 0005_public_page.sql) holds exactly these rows. The contract suite checks
// that the two rules agree for every listing and habilitation state.
const publicVisible = `p.listing = 'listed' AND p.habilitation NOT IN ('suspended', 'revoked')`

// publicRank puts structures before childminders. It is the second column
// of the index professionals_public_order, word for word: both databases
// read a page of a commune in the index's order, without sorting it.
const publicRank = `CASE WHEN p.kind = 'structure' THEN 0 ELSE 1 END`

// maxPublicCommunes bounds the communes of one search (a postal code serves
// at most a few dozen), and so the placeholders of one statement.
const maxPublicCommunes = 500

// maxPublicIDs bounds the IDs of one read of availability tabs (a page of
// the search holds 30): a longer list is read in several queries.
const maxPublicIDs = 500

// publicColumns are the fiche fields parents may see, plus the states
// PublicView reads and the global colour: never the e-mail.
const publicColumns = `p.id, p.kind, p.department, p.caf_code, p.civility, p.last_name,
	p.first_name, p.structure_name, p.street_number, p.street_type, p.street_name,
	p.postal_code, p.commune_insee, p.commune_name, p.phone, p.places_agreed, p.capacity,
	p.opening_hours, p.listing, p.habilitation, p.updated_at, a.global`

// publicSelection returns the FROM and WHERE of the professionals of those
// communes whom parents may find, with their arguments; ok is false when
// no commune is given.
func publicSelection(communeINSEEs []string) (from string, args []any, ok bool, err error) {
	communes := uniqueNonEmpty(communeINSEEs)
	if len(communes) == 0 {
		return "", nil, false, nil
	}
	if len(communes) > maxPublicCommunes {
		return "", nil, false, data.Errorf(data.EINVALID, "Trop de communes pour une seule recherche : %d (au plus %d).", len(communes), maxPublicCommunes)
	}
	args = make([]any, len(communes))
	for i, c := range communes {
		args[i] = c
	}
	return ` FROM professionals p WHERE p.commune_insee IN (` + placeholders(len(communes)) + `) AND ` + publicVisible, args, true, nil
}

// CountPublicListings counts the professionals of those communes whom
// parents may find, at most atMost of them, from the index alone.
func (s *Store) CountPublicListings(ctx context.Context, communeINSEEs []string, atMost int) (int, error) {
	from, args, ok, err := publicSelection(communeINSEEs)
	if !ok || err != nil {
		return 0, err
	}
	var n int
	if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM (`+s.page(`SELECT p.id`+from, 0, atMost)+`) AS found`, args...).Scan(&n); err != nil {
		return 0, s.wrap(err, "comptage des professionnels publics", "")
	}
	return n, nil
}

// FindPublicListings returns one page of the professionals of those
// communes whom parents may find, with their whole availability, in two
// queries whatever the page's size: the page's fiches with their global
// colour (the page is picked in the index, then only its rows are read),
// then every week and dated tab of those fiches. The two reads are not one
// snapshot (a read transaction would take SQLite's write lock, see
// data/sqlite): a save that commits between them may show its new weeks
// beside the colour read just before, which a public page cached for a
// minute accepts.
func (s *Store) FindPublicListings(ctx context.Context, communeINSEEs []string, offset, limit int) ([]data.PublicListing, error) {
	from, args, ok, err := publicSelection(communeINSEEs)
	if !ok || err != nil {
		return nil, err
	}
	// The page's keys come from the index (no fiche is read to pick them);
	// the outer query reads the fiches of those keys only, in their order.
	page := s.page(`SELECT p.id, `+publicRank+` AS public_rank, p.sort_last, p.sort_first`+from+
		` ORDER BY `+publicRank+`, p.sort_last, p.sort_first, p.id`, max(offset, 0), limit)
	list, err := queryList(ctx, s, scanPublicListing, `SELECT `+publicColumns+`
		FROM (`+page+`) AS pg JOIN professionals p ON p.id = pg.id
		LEFT JOIN availability a ON a.professional_id = p.id
		ORDER BY pg.public_rank, pg.sort_last, pg.sort_first, pg.id`, args...)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	if err := s.readPublicTabs(ctx, list); err != nil {
		return nil, err
	}
	for i := range list {
		if a := list[i].Availability; a != nil {
			slices.SortFunc(a.Weeks, func(x, y data.Week) int { return compareDates(x.Monday, y.Monday) })
			slices.SortFunc(a.Dated, func(x, y data.Dated) int { return compareDates(x.Date, y.Date) })
		}
	}
	return list, nil
}

// readPublicTabs reads every week and dated tab of the professionals of
// list into their availability, in one query per maxPublicIDs of them (one
// for a page of the search).
func (s *Store) readPublicTabs(ctx context.Context, list []data.PublicListing) error {
	byID := make(map[string]*data.PublicListing, len(list))
	for i := range list {
		byID[list[i].Professional.ID] = &list[i]
	}
	for chunk := range slices.Chunk(list, maxPublicIDs) {
		args := make([]any, 0, 2*len(chunk))
		for _, l := range chunk {
			args = append(args, l.Professional.ID)
		}
		args = append(args, args...)
		in := placeholders(len(chunk))
		if err := s.readPublicTabsOf(ctx, `SELECT w.professional_id, 'W', w.monday, w.use_detail, w.grid, w.places
		FROM availability_weeks w WHERE w.professional_id IN (`+in+`)
		UNION ALL
		SELECT d.professional_id, 'D', d.day, d.use_detail, d.days, d.places
		FROM availability_dated d WHERE d.professional_id IN (`+in+`)`, args, byID); err != nil {
			return err
		}
	}
	return nil
}

// readPublicTabsOf runs query, which reads weeks and dated tabs, into the
// listings of byID.
func (s *Store) readPublicTabsOf(ctx context.Context, query string, args []any, byID map[string]*data.PublicListing) error {
	rows, err := s.Query(ctx, query, args...)
	if err != nil {
		return s.wrap(err, "lecture des disponibilités publiques", "")
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind, day, letters string
		var use bool
		var places sql.NullInt64
		if err := rows.Scan(&id, &kind, &day, &use, &letters, &places); err != nil {
			return fmt.Errorf("sqlstore: scan public tab: %w", err)
		}
		l, ok := byID[id]
		if !ok {
			continue
		}
		if l.Availability == nil {
			l.Availability = &data.Availability{ProfessionalID: id, Global: data.ColourGrey}
		}
		date, err := data.ParseDate(day)
		if err != nil {
			return err
		}
		if kind == "W" {
			w := data.Week{Monday: date, Use: use, Places: placesOf(places)}
			if w.Grid, err = data.DecodeWeekGrid(letters); err != nil {
				return err
			}
			l.Availability.Weeks = append(l.Availability.Weeks, w)
		} else {
			x := data.Dated{Date: date, Use: use, Places: placesOf(places)}
			if x.Days, err = data.DecodeWeekDays(letters); err != nil {
				return err
			}
			l.Availability.Dated = append(l.Availability.Dated, x)
		}
	}
	if err := rows.Err(); err != nil {
		return s.wrap(err, "lecture des disponibilités publiques", "")
	}
	return nil
}

func scanPublicListing(rows *sql.Rows) (data.PublicListing, error) {
	var p data.Professional
	var updated int64
	var global sql.NullString
	a := &p.Address
	err := rows.Scan(&p.ID, &p.Kind, &p.Department, &p.CafCode, &p.Civility, &p.LastName,
		&p.FirstName, &p.StructureName, &a.Number, &a.StreetType, &a.StreetName, &a.PostalCode,
		&a.CommuneINSEE, &a.CommuneName, &p.Phone, &p.PlacesAgreed, &p.Capacity, &p.OpeningHours,
		&p.Listing, &p.Habilitation, &updated, &global)
	if err != nil {
		return data.PublicListing{}, fmt.Errorf("sqlstore: scan public listing: %w", err)
	}
	p.UpdatedAt = fromMillis(updated)
	l := data.PublicListing{Professional: &p}
	if global.Valid {
		l.Availability = &data.Availability{ProfessionalID: p.ID, Global: data.Colour(global.String)}
	}
	return l, nil
}

// compareDates orders dates as slices.SortFunc wants.
func compareDates(x, y data.Date) int {
	switch {
	case x.Before(y):
		return -1
	case y.Before(x):
		return 1
	}
	return 0
}

// placeholders returns « ?, ?, ? » for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// uniqueNonEmpty returns the non-empty values of list, each once, in their
// first order.
func uniqueNonEmpty(list []string) []string {
	seen := make(map[string]bool, len(list))
	var out []string
	for _, v := range list {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
