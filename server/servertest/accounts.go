package servertest

import (
	"context"
	"testing"

	"espacepro/data"
	"espacepro/server/password"
)

// SeedActive stores p as a listed professional with an active habilitation
// and an account of that e-mail and password, as a validated request
// leaves her once she chose her password.
func (e *Env) SeedActive(tb testing.TB, p *data.Professional, email, pass string) *data.Account {
	tb.Helper()
	p.Listing, p.Habilitation = data.Listed, data.HabilitationActive
	e.SeedProfessional(tb, p)
	hash, err := password.Hash(pass)
	if err != nil {
		tb.Fatal(err)
	}
	role := data.RoleChildminder
	if p.Kind == data.KindStructure {
		role = data.RoleStructure
	}
	acc := &data.Account{Email: email, Role: role, ProfessionalID: p.ID, CafCode: p.CafCode,
		FirstName: p.FirstName, LastName: p.LastName, PasswordHash: hash}
	if err := e.Store.CreateAccount(context.Background(), acc); err != nil {
		tb.Fatalf("seed account %s: %v", email, err)
	}
	return acc
}
