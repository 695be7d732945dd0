package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"espacepro/data"

	"github.com/google/uuid"
)

const professionalColumns = `id, kind, department, caf_code, agrement_number, civility, last_name,
	first_name, structure_name, street_number, street_type, street_name, postal_code,
	commune_insee, commune_name, phone, email, places_agreed, agrement_date, capacity,
	opening_hours, listing, habilitation, created_at, updated_at`

// sortKeys returns the normalised keys professionals are ordered and
// searched by: a structure's name stands as its last name.
func sortKeys(p *data.Professional) (last, first, search string) {
	last = p.LastName
	if p.Kind == data.KindStructure && p.StructureName != "" {
		last = p.StructureName
	}
	last, first = data.NormalizeName(last), data.NormalizeName(p.FirstName)
	search = data.NormalizeName(p.LastName + " " + p.FirstName + " " + p.StructureName)
	return last, first, search
}

func professionalArgs(p *data.Professional) []any {
	last, first, search := sortKeys(p)
	a := p.Address
	return []any{p.Kind, p.Department, p.CafCode, p.AgrementNumber, p.Civility, p.LastName,
		p.FirstName, p.StructureName, a.Number, a.StreetType, a.StreetName, a.PostalCode,
		a.CommuneINSEE, a.CommuneName, p.Phone, p.Email, p.PlacesAgreed, dateText(p.AgrementDate),
		p.Capacity, p.OpeningHours, p.Listing, p.Habilitation, last, first, search}
}

func checkProfessional(p *data.Professional) error {
	f := data.FieldErrors{}
	if !p.Kind.Valid() {
		f.Add("kind", "Type de professionnel inconnu.")
	}
	if p.Department == "" || p.CafCode == "" {
		f.Add("caf", "Département et Caf sont obligatoires.")
	}
	if !p.Habilitation.Valid() {
		f.Add("habilitation", "État d'habilitation inconnu.")
	}
	if p.Listing != data.Listed && p.Listing != data.Delisted {
		f.Add("listing", "État d'inscription inconnu.")
	}
	return f.Err()
}

const agrementConflict = "Ce numéro d'agrément est déjà attribué à une autre personne de ce département."

// CreateProfessional stores a new professional.
func (s *Store) CreateProfessional(ctx context.Context, p *data.Professional) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	now := s.now()
	created := *p
	created.ID, created.CreatedAt, created.UpdatedAt = id.String(), now, now
	if err := s.InsertProfessional(ctx, &created, false); err != nil {
		return err
	}
	p.ID, p.CreatedAt, p.UpdatedAt = created.ID, now, now
	return nil
}

// InsertProfessional stores p with its own ID and times: a copy of a row
// that exists elsewhere (the desktop's copy of a central row). With replace,
// a row of the same ID is overwritten instead of being a conflict.
func (s *Store) InsertProfessional(ctx context.Context, p *data.Professional, replace bool) error {
	if err := checkProfessional(p); err != nil {
		return err
	}
	args := append([]any{p.ID}, professionalArgs(p)...)
	args = append(args, millis(p.CreatedAt), millis(p.UpdatedAt))
	query := `INSERT INTO professionals (id, kind, department, caf_code,
		agrement_number, civility, last_name, first_name, structure_name, street_number,
		street_type, street_name, postal_code, commune_insee, commune_name, phone, email,
		places_agreed, agrement_date, capacity, opening_hours, listing, habilitation,
		sort_last, sort_first, search_text, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`
	if replace {
		query += ` ON CONFLICT (id) DO UPDATE SET kind=excluded.kind, department=excluded.department,
		caf_code=excluded.caf_code, agrement_number=excluded.agrement_number,
		civility=excluded.civility, last_name=excluded.last_name, first_name=excluded.first_name,
		structure_name=excluded.structure_name, street_number=excluded.street_number,
		street_type=excluded.street_type, street_name=excluded.street_name,
		postal_code=excluded.postal_code, commune_insee=excluded.commune_insee,
		commune_name=excluded.commune_name, phone=excluded.phone, email=excluded.email,
		places_agreed=excluded.places_agreed, agrement_date=excluded.agrement_date,
		capacity=excluded.capacity, opening_hours=excluded.opening_hours,
		listing=excluded.listing, habilitation=excluded.habilitation,
		sort_last=excluded.sort_last, sort_first=excluded.sort_first,
		search_text=excluded.search_text, created_at=excluded.created_at,
		updated_at=excluded.updated_at`
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.Exec(ctx, query, args...); err != nil {
			return s.wrap(err, "création du professionnel", agrementConflict)
		}
		return s.recordChange(ctx, p.CafCode, p.ID, "professional", p.ID, nil, data.ProfessionalFields(p), false)
	})
}

// UpdateProfessional replaces the stored fiche and states of p.ID.
func (s *Store) UpdateProfessional(ctx context.Context, p *data.Professional) error {
	if err := checkProfessional(p); err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		var old *data.Professional
		if !s.untracked {
			var err error
			if old, err = s.FindProfessionalByID(ctx, p.ID); err != nil {
				return err
			}
		}
		if err := s.updateProfessional(ctx, p); err != nil {
			return err
		}
		if old == nil {
			return nil
		}
		before := data.ProfessionalFields(old)
		if old.CafCode != p.CafCode {
			// She moved to another Caf: the old one's copies drop her.
			if err := s.recordChange(ctx, old.CafCode, p.ID, "professional", p.ID, nil, nil, true); err != nil {
				return err
			}
			before = nil
		}
		if err := s.recordChange(ctx, p.CafCode, p.ID, "professional", p.ID, before, data.ProfessionalFields(p), false); err != nil {
			return err
		}
		if old.CafCode != p.CafCode {
			return s.relogAvailability(ctx, p.CafCode, p.ID)
		}
		return nil
	})
}

// relogAvailability lists professional id's availability records (global
// colour, weeks, dated tabs) in caf's sequence, after she moved there, so
// that the new Caf's copies pull them. Their fields keep their versions and
// stamps: they did not change, and a later edit still merges against them.
func (s *Store) relogAvailability(ctx context.Context, caf, id string) error {
	var n int
	if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM availability WHERE professional_id = ?`, id).Scan(&n); err != nil {
		return s.wrap(err, "disponibilités", "")
	}
	if n == 0 {
		return nil // nothing was ever saved
	}
	a, err := s.FindAvailability(ctx, id)
	if err != nil {
		return err
	}
	refs := []data.RecordRef{{Entity: "availability", Key: id}}
	for _, w := range a.Weeks {
		refs = append(refs, data.RecordRef{Entity: "week", Key: data.WeekKey(id, w.Monday)})
	}
	for _, x := range a.Dated {
		refs = append(refs, data.RecordRef{Entity: "dated", Key: data.DatedKey(id, x.Date)})
	}
	for _, r := range refs {
		seq, err := s.nextSeq(ctx, caf)
		if err != nil {
			return err
		}
		if _, err := s.Exec(ctx, `INSERT INTO change_log (caf_code, seq, professional_id, entity, key, deleted)
			VALUES (?, ?, ?, ?, ?, ?)`, caf, seq, id, r.Entity, r.Key, false); err != nil {
			return s.wrap(err, "journal des changements", "")
		}
	}
	return nil
}

func (s *Store) updateProfessional(ctx context.Context, p *data.Professional) error {
	now := s.stamp(p.UpdatedAt)
	err := s.guardedUpdate(ctx, "professionals", `UPDATE professionals SET kind=?, department=?, caf_code=?,
		agrement_number=?, civility=?, last_name=?, first_name=?, structure_name=?,
		street_number=?, street_type=?, street_name=?, postal_code=?, commune_insee=?,
		commune_name=?, phone=?, email=?, places_agreed=?, agrement_date=?, capacity=?,
		opening_hours=?, listing=?, habilitation=?, sort_last=?, sort_first=?, search_text=?,
		updated_at=?`, professionalNotFound(), p.ID, p.UpdatedAt, append(professionalArgs(p), millis(now))...)
	if err != nil {
		return s.wrap(err, "mise à jour du professionnel", agrementConflict)
	}
	p.UpdatedAt = now
	return nil
}

func professionalNotFound() error {
	return data.Errorf(data.ENOTFOUND, "Professionnel introuvable.")
}

// FindProfessionalByID returns ENOTFOUND when there is none.
func (s *Store) FindProfessionalByID(ctx context.Context, id string) (*data.Professional, error) {
	return s.findProfessional(ctx, `SELECT `+professionalColumns+` FROM professionals WHERE id = ?`, id)
}

// FindProfessionalByAgrement finds a childminder by département and number.
func (s *Store) FindProfessionalByAgrement(ctx context.Context, dept, number string) (*data.Professional, error) {
	if number == "" {
		return nil, professionalNotFound()
	}
	return s.findProfessional(ctx, `SELECT `+professionalColumns+`
		FROM professionals WHERE department = ? AND agrement_number = ?`, dept, number)
}

func (s *Store) findProfessional(ctx context.Context, query string, args ...any) (*data.Professional, error) {
	return queryOne(ctx, s, scanProfessional, professionalNotFound(), query, args...)
}

// FindProfessionals returns the page of professionals matching f, ordered
// by normalised last name (a structure's name for a structure), first name
// and ID, and the total number matching.
func (s *Store) FindProfessionals(ctx context.Context, f data.ProfessionalFilter) ([]*data.Professional, int, error) {
	var w where
	if f.CafCode != "" {
		w.add("caf_code = ?", f.CafCode)
	}
	if f.Department != "" {
		w.add("department = ?", f.Department)
	}
	if f.PostalCode != "" {
		w.add("postal_code = ?", f.PostalCode)
	}
	if f.CommuneINSEE != "" {
		w.add("commune_insee = ?", f.CommuneINSEE)
	}
	if f.AgrementNumber != "" {
		w.add("agrement_number = ?", f.AgrementNumber)
	}
	if f.Name != "" {
		w.add("search_text LIKE ?", likeContains(f.Name))
	}
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if f.Listing != "" {
		w.add("listing = ?", f.Listing)
	}
	if f.Habilitation != "" {
		w.add("habilitation = ?", f.Habilitation)
	}
	return findPage(ctx, s, scanProfessional, professionalColumns, "professionals", &w,
		"sort_last, sort_first, id", f.Offset, f.Limit)
}

func scanProfessional(rows *sql.Rows) (*data.Professional, error) {
	var p data.Professional
	var agrementDate string
	var created, updated int64
	a := &p.Address
	err := rows.Scan(&p.ID, &p.Kind, &p.Department, &p.CafCode, &p.AgrementNumber, &p.Civility,
		&p.LastName, &p.FirstName, &p.StructureName, &a.Number, &a.StreetType, &a.StreetName,
		&a.PostalCode, &a.CommuneINSEE, &a.CommuneName, &p.Phone, &p.Email, &p.PlacesAgreed,
		&agrementDate, &p.Capacity, &p.OpeningHours, &p.Listing, &p.Habilitation, &created, &updated)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: scan professional: %w", err)
	}
	if p.AgrementDate, err = parseDateText(agrementDate); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &p, nil
}
