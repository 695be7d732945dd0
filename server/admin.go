package server

import (
	"context"
	"strings"

	"espacepro/data"
)

// CreateAgent creates the account of a Caf agent and mails her a
// single-use code to choose her password. Only the national administrator
// (the command line) does it.
func (s *Service) CreateAgent(ctx context.Context, c *Caller, cafCode, email, firstName, lastName string) (*data.Account, error) {
	f := data.FieldErrors{}
	caf, ok := s.ref.Caf(cafCode)
	if !ok {
		f.Add("caf", "Caf « "+cafCode+" » inconnue : indiquez son numéro, par exemple 921 pour les Hauts-de-Seine.")
	}
	email = data.NormalizeEmail(email)
	if err := data.ValidateEmail(email); err != nil {
		f.Add("email", data.ErrorMessage(err))
	}
	if strings.TrimSpace(firstName) == "" || strings.TrimSpace(lastName) == "" {
		f.Add("name", "Indiquez le prénom et le nom de l'agent.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	acc := &data.Account{Email: email, Role: data.RoleAgent, CafCode: caf.Code,
		FirstName: strings.TrimSpace(firstName), LastName: strings.TrimSpace(lastName)}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateAccount(ctx, acc); err != nil {
			return err
		}
		return s.audit(ctx, c, caf.Code, "agent.create", "account", acc.ID, email)
	})
	if err != nil {
		return nil, err
	}
	if err := s.mailCode(ctx, acc, data.CodeAgentWelcome, AgentCodeValidity); err != nil {
		return acc, data.Errorf(data.EUNAVAILABLE, "Le compte est créé, mais le courriel n'a pas pu être envoyé : relancez « admin send-code %s ».", email)
	}
	return acc, nil
}

// SendAgentCode mails a Caf agent a new single-use code to choose her
// password (a lost or expired welcome mail).
func (s *Service) SendAgentCode(ctx context.Context, c *Caller, email string) error {
	acc, err := s.store.FindAccountByEmail(ctx, data.NormalizeEmail(email))
	if err != nil {
		return err
	}
	if acc.Role != data.RoleAgent {
		return data.Errorf(data.EINVALID, "%s n'est pas un compte d'agent de Caf.", email)
	}
	if err := s.mailCode(ctx, acc, data.CodeAgentWelcome, AgentCodeValidity); err != nil {
		return err
	}
	return s.audit(ctx, c, acc.CafCode, "agent.send_code", "account", acc.ID, acc.Email)
}

// ListAgents lists the agents of a Caf, or of every Caf when caf is empty.
func (s *Service) ListAgents(ctx context.Context, cafCode string) ([]*data.Account, error) {
	list, _, err := s.store.FindAccounts(ctx, data.AccountFilter{CafCode: cafCode, Role: data.RoleAgent})
	return list, err
}

// SetAgentDisabled disables (or enables again) an agent's account; a
// disabled account's sessions end at once.
func (s *Service) SetAgentDisabled(ctx context.Context, c *Caller, email string, disabled bool) (*data.Account, error) {
	var acc *data.Account
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		acc, err = s.store.FindAccountByEmail(ctx, data.NormalizeEmail(email))
		if err != nil {
			return err
		}
		if acc.Role != data.RoleAgent {
			return data.Errorf(data.EINVALID, "%s n'est pas un compte d'agent de Caf.", email)
		}
		acc.Disabled = disabled
		if err := s.store.UpdateAccount(ctx, acc); err != nil {
			return err
		}
		if _, err := s.store.DeleteAccountSessions(ctx, acc.ID); err != nil {
			return err
		}
		action := "agent.enable"
		if disabled {
			action = "agent.disable"
		}
		return s.audit(ctx, c, acc.CafCode, action, "account", acc.ID, acc.Email)
	})
	return acc, err
}

// Audit reads the audit log: the command line reads all of it, an agent
// her own Caf's.
func (s *Service) Audit(ctx context.Context, c *Caller, f data.AuditFilter) ([]*data.AuditEntry, int, error) {
	if c != CommandLine {
		caf, err := requireAgent(c, "")
		if err != nil {
			return nil, 0, err
		}
		f.CafCode = caf
	}
	return s.store.FindAudit(ctx, f)
}
