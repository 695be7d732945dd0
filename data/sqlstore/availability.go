package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"espacepro/data"
)

// ValidateAvailability checks every part of a before anything is written.
func ValidateAvailability(a *data.Availability) error {
	if a.ProfessionalID == "" {
		return data.Errorf(data.EINVALID, "Disponibilités sans professionnel.")
	}
	if !a.Global.Valid() {
		return data.Errorf(data.EINVALID, "Disponibilité globale « %s » inconnue : choisissez rouge, vert ou gris.", a.Global)
	}
	for _, w := range a.Weeks {
		if err := w.Validate(); err != nil {
			return err
		}
	}
	for _, x := range a.Dated {
		if err := x.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// FindAvailability returns a professional's availability.
func (s *Store) FindAvailability(ctx context.Context, professionalID string) (*data.Availability, error) {
	var exists int
	err := s.QueryRow(ctx, `SELECT COUNT(*) FROM professionals WHERE id = ?`, professionalID).Scan(&exists)
	if err != nil {
		return nil, s.wrap(err, "lecture des disponibilités", "")
	}
	if exists == 0 {
		return nil, professionalNotFound()
	}
	return s.ReadAvailability(ctx, professionalID)
}

// ReadAvailability reads the availability rows of a professional without
// checking that the professional exists.
func (s *Store) ReadAvailability(ctx context.Context, professionalID string) (*data.Availability, error) {
	a := &data.Availability{ProfessionalID: professionalID, Global: data.ColourGrey}
	err := s.QueryRow(ctx, `SELECT global FROM availability WHERE professional_id = ?`, professionalID).Scan(&a.Global)
	if err != nil && err != sql.ErrNoRows {
		return nil, s.wrap(err, "lecture des disponibilités", "")
	}
	rows, err := s.Query(ctx, `SELECT monday, use_detail, grid, places FROM availability_weeks
		WHERE professional_id = ? ORDER BY monday`, professionalID)
	if err != nil {
		return nil, s.wrap(err, "lecture des semaines", "")
	}
	defer rows.Close()
	for rows.Next() {
		var w data.Week
		var monday, grid string
		var places sql.NullInt64
		if err := rows.Scan(&monday, &w.Use, &grid, &places); err != nil {
			return nil, fmt.Errorf("sqlstore: scan week: %w", err)
		}
		if w.Monday, err = data.ParseDate(monday); err != nil {
			return nil, err
		}
		if w.Grid, err = data.DecodeWeekGrid(grid); err != nil {
			return nil, err
		}
		w.Places = placesOf(places)
		a.Weeks = append(a.Weeks, w)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "lecture des semaines", "")
	}
	rows.Close()
	rows, err = s.Query(ctx, `SELECT day, use_detail, days, places FROM availability_dated
		WHERE professional_id = ? ORDER BY day`, professionalID)
	if err != nil {
		return nil, s.wrap(err, "lecture des disponibilités datées", "")
	}
	defer rows.Close()
	for rows.Next() {
		var x data.Dated
		var day, days string
		var places sql.NullInt64
		if err := rows.Scan(&day, &x.Use, &days, &places); err != nil {
			return nil, fmt.Errorf("sqlstore: scan dated: %w", err)
		}
		if x.Date, err = data.ParseDate(day); err != nil {
			return nil, err
		}
		if x.Days, err = data.DecodeWeekDays(days); err != nil {
			return nil, err
		}
		x.Places = placesOf(places)
		a.Dated = append(a.Dated, x)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "lecture des disponibilités datées", "")
	}
	return a, nil
}

func placesOf(n sql.NullInt64) data.Places {
	if !n.Valid {
		return nil
	}
	return data.PlacesOf(int(n.Int64))
}

func placesArg(p data.Places) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

// SaveAvailability stores a, all or nothing.
func (s *Store) SaveAvailability(ctx context.Context, a *data.Availability) error {
	if err := ValidateAvailability(a); err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		var caf string
		err := s.QueryRow(ctx, `SELECT caf_code FROM professionals WHERE id = ?`, a.ProfessionalID).Scan(&caf)
		if err == sql.ErrNoRows {
			return professionalNotFound()
		} else if err != nil {
			return s.wrap(err, "enregistrement des disponibilités", "")
		}
		var before *data.Availability
		if !s.untracked {
			if before, err = s.ReadAvailability(ctx, a.ProfessionalID); err != nil {
				return err
			}
		}
		if err := s.WriteAvailability(ctx, a); err != nil {
			return err
		}
		if before == nil {
			return nil
		}
		return s.recordAvailability(ctx, caf, before, a)
	})
}

// recordAvailability logs the changes a makes to before: the global colour,
// each week and each dated tab as records of their own.
func (s *Store) recordAvailability(ctx context.Context, caf string, before, a *data.Availability) error {
	id := a.ProfessionalID
	err := s.recordChange(ctx, caf, id, "availability", id,
		map[string]string{"global": string(before.Global)}, map[string]string{"global": string(a.Global)}, false)
	if err != nil {
		return err
	}
	for _, w := range a.Weeks {
		// A new week is compared with an empty one, so that only the
		// fields really set get a version (two computers filling the same
		// new week in different cells do not conflict).
		old := data.Week{Monday: w.Monday, Grid: data.NewWeekGrid()}.Fields()
		if bw, ok := before.WeekOf(w.Monday); ok {
			old = bw.Fields()
		}
		if err := s.recordChange(ctx, caf, id, "week", data.WeekKey(id, w.Monday), old, w.Fields(), false); err != nil {
			return err
		}
	}
	for _, x := range a.Dated {
		old := data.Dated{Date: x.Date, Days: data.NewWeekDays()}.Fields()
		if bx, ok := before.DatedOf(x.Date); ok {
			old = bx.Fields()
		}
		if err := s.recordChange(ctx, caf, id, "dated", data.DatedKey(id, x.Date), old, x.Fields(), false); err != nil {
			return err
		}
	}
	return nil
}

// WriteAvailability upserts the rows of a in ctx's transaction, without
// validation or existence checks: callers do both.
func (s *Store) WriteAvailability(ctx context.Context, a *data.Availability) error {
	now := millis(s.now())
	if _, err := s.Exec(ctx, `INSERT INTO availability (professional_id, global, updated_at)
		VALUES (?, ?, ?) ON CONFLICT (professional_id) DO UPDATE
		SET global = excluded.global, updated_at = excluded.updated_at`,
		a.ProfessionalID, a.Global, now); err != nil {
		return s.wrap(err, "enregistrement de la disponibilité globale", "")
	}
	for _, w := range a.Weeks {
		if _, err := s.Exec(ctx, `INSERT INTO availability_weeks
			(professional_id, monday, use_detail, grid, places, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (professional_id, monday) DO UPDATE SET use_detail = excluded.use_detail,
			grid = excluded.grid, places = excluded.places, updated_at = excluded.updated_at`,
			a.ProfessionalID, w.Monday.String(), w.Use, w.Grid.Encode(), placesArg(w.Places), now); err != nil {
			return s.wrap(err, "enregistrement de la semaine du "+w.Monday.French(), "")
		}
	}
	for _, x := range a.Dated {
		if _, err := s.Exec(ctx, `INSERT INTO availability_dated
			(professional_id, day, use_detail, days, places, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (professional_id, day) DO UPDATE SET use_detail = excluded.use_detail,
			days = excluded.days, places = excluded.places, updated_at = excluded.updated_at`,
			a.ProfessionalID, x.Date.String(), x.Use, x.Days.Encode(), placesArg(x.Places), now); err != nil {
			return s.wrap(err, "enregistrement des disponibilités au "+x.Date.French(), "")
		}
	}
	return nil
}
