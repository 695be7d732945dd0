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
// WHERE word for word, and the index professionals_public (migration
// 0004_public.sql) holds exactly these rows. The contract suite checks that
// the two rules agree for every listing and habilitation state.
const publicVisible = `p.listing = 'listed' AND p.habilitation NOT IN ('suspended', 'revoked')`

// maxPublicCommunes bounds the communes of one search (a postal code serves
// at most a few dozen), and so the placeholders of one statement.
const maxPublicCommunes = 500

// publicColumns are the fiche fields parents may see, plus the states
// PublicView reads and the global colour: never the e-mail.
const publicColumns = `p.id, p.kind, p.department, p.caf_code, p.civility, p.last_name,
	p.first_name, p.structure_name, p.street_number, p.street_type, p.street_name,
	p.postal_code, p.commune_insee, p.commune_name, p.phone, p.places_agreed, p.capacity,
	p.opening_hours, p.listing, p.habilitation, p.updated_at, a.global`

// FindPublicListings returns the professionals of those communes whom
// parents may find, with their whole availability, in two queries whatever
// their number: the fiches with their global colour, then every week and
// dated tab of the same selection. The two reads are not one snapshot (a
// read transaction would take SQLite's write lock, see data/sqlite): a save
// that commits between them may show its new weeks beside the colour read
// just before, which a public page cached for a minute accepts.
func (s *Store) FindPublicListings(ctx context.Context, communeINSEEs []string, limit int) ([]data.PublicListing, error) {
	communes := uniqueNonEmpty(communeINSEEs)
	if len(communes) == 0 {
		return nil, nil
	}
	if len(communes) > maxPublicCommunes {
		return nil, data.Errorf(data.EINVALID, "Trop de communes pour une seule recherche : %d (au plus %d).", len(communes), maxPublicCommunes)
	}
	args := make([]any, len(communes))
	for i, c := range communes {
		args[i] = c
	}
	// selected picks the listed rows in the listed order, with args.
	selected := ` WHERE p.commune_insee IN (` + placeholders(len(communes)) + `) AND ` + publicVisible +
		` ORDER BY CASE WHEN p.kind = 'structure' THEN 0 ELSE 1 END, p.sort_last, p.sort_first, p.id`
	list, err := queryList(ctx, s, scanPublicListing, s.page(`SELECT `+publicColumns+`
		FROM professionals p LEFT JOIN availability a ON a.professional_id = p.id`+selected, 0, limit), args...)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	byID := make(map[string]*data.PublicListing, len(list))
	for i := range list {
		byID[list[i].Professional.ID] = &list[i]
	}
	selection := s.page(`SELECT p.id FROM professionals p`+selected, 0, limit)
	if err := s.readPublicTabs(ctx, selection, append(args, args...), byID); err != nil {
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

// readPublicTabs reads every week and dated tab of the professionals that
// selection (a query of their IDs, whose arguments args gives twice) picks,
// in one query, into the listings of byID. Rows of a professional that is
// not in byID (she became visible between the two reads) are skipped.
func (s *Store) readPublicTabs(ctx context.Context, selection string, args []any, byID map[string]*data.PublicListing) error {
	rows, err := s.Query(ctx, `SELECT w.professional_id, 'W', w.monday, w.use_detail, w.grid, w.places
		FROM availability_weeks w WHERE w.professional_id IN (`+selection+`)
		UNION ALL
		SELECT d.professional_id, 'D', d.day, d.use_detail, d.days, d.places
		FROM availability_dated d WHERE d.professional_id IN (`+selection+`)`, args...)
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
