package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"espacepro/data"

	"github.com/google/uuid"
)

const requestColumns = `id, kind, civility, last_name, first_name, structure_name, agrement_number,
	street_number, street_type, street_name, postal_code, commune_insee, commune_name, phone,
	email, department, caf_code, state, refusal_reason, professional_id, match_kind,
	created_at, updated_at`

func requestArgs(r *data.Request) []any {
	a := r.Address
	search := data.NormalizeName(r.LastName + " " + r.FirstName + " " + r.StructureName)
	return []any{r.Kind, r.Civility, r.LastName, r.FirstName, r.StructureName, r.AgrementNumber,
		a.Number, a.StreetType, a.StreetName, a.PostalCode, a.CommuneINSEE, a.CommuneName, r.Phone,
		r.Email, r.Department, r.CafCode, r.State, r.RefusalReason, nullString(r.ProfessionalID),
		r.Match, search}
}

func checkRequest(r *data.Request) error {
	f := data.FieldErrors{}
	if !r.Kind.Valid() {
		f.Add("kind", "Type de demande inconnu.")
	}
	if !r.State.Valid() {
		f.Add("state", "État de demande inconnu.")
	}
	if r.CafCode == "" {
		f.Add("caf", "La demande doit être adressée à une Caf.")
	}
	return f.Err()
}

// CreateRequest stores a new request.
func (s *Store) CreateRequest(ctx context.Context, r *data.Request) error {
	if err := checkRequest(r); err != nil {
		return err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	now := s.now()
	args := append([]any{id.String()}, requestArgs(r)...)
	args = append(args, millis(now), millis(now))
	return s.InTx(ctx, func(ctx context.Context) error {
		_, err = s.Exec(ctx, `INSERT INTO requests (id, kind, civility, last_name, first_name,
			structure_name, agrement_number, street_number, street_type, street_name, postal_code,
			commune_insee, commune_name, phone, email, department, caf_code, state, refusal_reason,
			professional_id, match_kind, search_text, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
		if err != nil {
			return s.wrap(err, "création de la demande", "")
		}
		r.ID, r.CreatedAt, r.UpdatedAt = id.String(), now, now
		return s.recordChange(ctx, r.CafCode, "", "request", r.ID, nil, data.RequestFields(r), false)
	})
}

// UpdateRequest replaces the stored request r.ID.
func (s *Store) UpdateRequest(ctx context.Context, r *data.Request) error {
	if err := checkRequest(r); err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		var before map[string]string
		if !s.untracked {
			old, err := s.FindRequestByID(ctx, r.ID)
			if err != nil {
				return err
			}
			before = data.RequestFields(old)
		}
		if err := s.updateRequest(ctx, r); err != nil {
			return err
		}
		return s.recordChange(ctx, r.CafCode, "", "request", r.ID, before, data.RequestFields(r), false)
	})
}

func (s *Store) updateRequest(ctx context.Context, r *data.Request) error {
	now := s.stamp(r.UpdatedAt)
	err := s.guardedUpdate(ctx, "requests", `UPDATE requests SET kind=?, civility=?, last_name=?, first_name=?,
		structure_name=?, agrement_number=?, street_number=?, street_type=?, street_name=?,
		postal_code=?, commune_insee=?, commune_name=?, phone=?, email=?, department=?, caf_code=?,
		state=?, refusal_reason=?, professional_id=?, match_kind=?, search_text=?, updated_at=?`,
		requestNotFound(), r.ID, r.UpdatedAt, append(requestArgs(r), millis(now))...)
	if err != nil {
		return s.wrap(err, "mise à jour de la demande", "")
	}
	r.UpdatedAt = now
	return nil
}

func requestNotFound() error {
	return data.Errorf(data.ENOTFOUND, "Demande d'habilitation introuvable.")
}

// FindRequestByID returns ENOTFOUND when there is none.
func (s *Store) FindRequestByID(ctx context.Context, id string) (*data.Request, error) {
	return queryOne(ctx, s, scanRequest, requestNotFound(),
		`SELECT `+requestColumns+` FROM requests WHERE id = ?`, id)
}

// FindRequests returns the page of requests matching f, newest first.
func (s *Store) FindRequests(ctx context.Context, f data.RequestFilter) ([]*data.Request, int, error) {
	var w where
	if f.CafCode != "" {
		w.add("caf_code = ?", f.CafCode)
	}
	if f.State != "" {
		w.add("state = ?", f.State)
	}
	if f.ProfessionalID != "" {
		w.add("professional_id = ?", f.ProfessionalID)
	}
	if f.Unmatched {
		w.add("professional_id IS NULL")
	}
	if f.Name != "" {
		w.add("search_text LIKE ?", likeContains(f.Name))
	}
	return findPage(ctx, s, scanRequest, requestColumns, "requests", &w,
		"created_at DESC, id DESC", f.Offset, f.Limit)
}

func scanRequest(rows *sql.Rows) (*data.Request, error) {
	var r data.Request
	var professional sql.NullString
	var created, updated int64
	a := &r.Address
	err := rows.Scan(&r.ID, &r.Kind, &r.Civility, &r.LastName, &r.FirstName, &r.StructureName,
		&r.AgrementNumber, &a.Number, &a.StreetType, &a.StreetName, &a.PostalCode, &a.CommuneINSEE,
		&a.CommuneName, &r.Phone, &r.Email, &r.Department, &r.CafCode, &r.State, &r.RefusalReason,
		&professional, &r.Match, &created, &updated)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: scan request: %w", err)
	}
	r.ProfessionalID = professional.String
	r.CreatedAt, r.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &r, nil
}
