package server

import (
	"context"
	"sort"
	"strings"

	"espacepro/data"
	"espacepro/server/letter"
	"espacepro/server/mail"
	"espacepro/server/password"
)

// FindRequests lists the requests of the agent's own Caf.
func (s *Service) FindRequests(ctx context.Context, c *Caller, f data.RequestFilter) ([]*data.Request, int, error) {
	caf, err := requireAgent(c, "")
	if err != nil {
		return nil, 0, err
	}
	f.CafCode = caf
	return s.store.FindRequests(ctx, f)
}

// Request returns one request of the agent's Caf; another Caf's is
// forbidden.
func (s *Service) Request(ctx context.Context, c *Caller, id string) (*data.Request, error) {
	if _, err := requireAgent(c, ""); err != nil {
		return nil, err
	}
	r, err := s.store.FindRequestByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := requireAgent(c, r.CafCode); err != nil {
		return nil, err
	}
	return r, nil
}

// Professional returns one professional of the agent's Caf.
func (s *Service) Professional(ctx context.Context, c *Caller, id string) (*data.Professional, error) {
	if _, err := requireAgent(c, ""); err != nil {
		return nil, err
	}
	p, err := s.store.FindProfessionalByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := requireAgent(c, p.CafCode); err != nil {
		return nil, err
	}
	return p, nil
}

// FindProfessionals searches the register of the agent's own Caf.
func (s *Service) FindProfessionals(ctx context.Context, c *Caller, f data.ProfessionalFilter) ([]*data.Professional, int, error) {
	caf, err := requireAgent(c, "")
	if err != nil {
		return nil, 0, err
	}
	f.CafCode = caf
	return s.store.FindProfessionals(ctx, f)
}

// requestAction loads a request of the agent's Caf in a transaction, checks
// that it may move to state to, lets change alter it, stores it and audits
// action.
func (s *Service) requestAction(ctx context.Context, c *Caller, id string, to data.RequestState, action, detail string, change func(ctx context.Context, r *data.Request) error) (*data.Request, error) {
	var out *data.Request
	err := s.store.InTx(s.authored(ctx, c), func(ctx context.Context) error {
		r, err := s.Request(ctx, c, id)
		if err != nil {
			return err
		}
		if to != "" && !r.State.CanMoveTo(to) {
			return data.Errorf(data.ECONFLICT, "Cette action n'est pas possible : la demande est « %s ».", r.State.Label())
		}
		if change != nil {
			if err := change(ctx, r); err != nil {
				return err
			}
		}
		if to != "" {
			r.State = to
		}
		if err := s.store.UpdateRequest(ctx, r); err != nil {
			return err
		}
		out = r
		return s.audit(ctx, c, r.CafCode, action, "request", r.ID, detail)
	})
	return out, err
}

// MatchRequest ties a request to a listed professional of the same Caf by
// hand, when the automatic match failed.
func (s *Service) MatchRequest(ctx context.Context, c *Caller, id, professionalID string) (*data.Request, error) {
	return s.requestAction(ctx, c, id, "", "request.match", professionalID, func(ctx context.Context, r *data.Request) error {
		if r.State.Final() {
			return data.Errorf(data.ECONFLICT, "Cette demande est close (« %s ») : elle ne peut plus être rapprochée.", r.State.Label())
		}
		p, err := s.Professional(ctx, c, professionalID)
		if err != nil {
			return err
		}
		if p.Kind != r.Kind {
			return data.Errorf(data.EINVALID, "La demande et la fiche ne sont pas du même type (assistant(e) maternel(le) ou structure).")
		}
		if p.Listing != data.Listed {
			return data.Errorf(data.ECONFLICT, "Cette personne n'est plus sur la liste de la PMI : elle ne peut pas être habilitée.")
		}
		if r.ProfessionalID != "" && r.ProfessionalID != p.ID {
			if err := s.releaseProfessional(ctx, r.ProfessionalID); err != nil {
				return err
			}
		}
		if p.Habilitation == data.HabilitationNone {
			p.Habilitation = data.HabilitationRequested
			if err := s.store.UpdateProfessional(ctx, p); err != nil {
				return err
			}
		}
		r.ProfessionalID, r.Match = p.ID, data.MatchAgent
		return nil
	})
}

// Letter renders the habilitation letter of a request as a PDF.
func (s *Service) Letter(ctx context.Context, c *Caller, id string) ([]byte, *data.Request, error) {
	r, err := s.Request(ctx, c, id)
	if err != nil {
		return nil, nil, err
	}
	caf, _ := s.ref.Caf(r.CafCode)
	pdf, err := letter.Render(letter.Letter{
		Caf: caf, Request: r, Date: data.Today(s.Now(), r.Department),
		Reference: strings.ToUpper(r.ID[len(r.ID)-8:]), Site: s.Site,
	})
	return pdf, r, err
}

// MarkLetterSent records that the letter was sent; with byMail, the
// service mails it to the person first.
func (s *Service) MarkLetterSent(ctx context.Context, c *Caller, id string, byMail bool) (*data.Request, error) {
	detail := "courrier postal"
	if byMail {
		pdf, r, err := s.Letter(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if !r.State.CanMoveTo(data.RequestLetter) {
			return nil, data.Errorf(data.ECONFLICT, "Cette action n'est pas possible : la demande est « %s ».", r.State.Label())
		}
		caf, _ := s.ref.Caf(r.CafCode)
		if err := s.send(ctx, mail.HabilitationLetter(caf.HabilitationEmail, r.Email, fullName(r), caf.Name, pdf)); err != nil {
			return nil, data.Errorf(data.EUNAVAILABLE, "Le courrier n'a pas pu être envoyé par courriel : réessayez plus tard ou envoyez-le par la poste.")
		}
		detail = "courrier envoyé par courriel"
	}
	return s.requestAction(ctx, c, id, data.RequestLetter, "request.letter", detail, nil)
}

// RecordAgreement records that the signed reply slip came back.
func (s *Service) RecordAgreement(ctx context.Context, c *Caller, id string) (*data.Request, error) {
	return s.requestAction(ctx, c, id, data.RequestAgreement, "request.agreement", "", nil)
}

// releaseProfessional puts back to « aucune » the habilitation of a
// professional whose request no longer concerns her (refused, or matched to
// someone else), unless another open request of hers is pending.
func (s *Service) releaseProfessional(ctx context.Context, id string) error {
	p, err := s.store.FindProfessionalByID(ctx, id)
	if err != nil || p.Habilitation != data.HabilitationRequested {
		return err
	}
	open, _, err := s.store.FindRequests(ctx, data.RequestFilter{ProfessionalID: id})
	if err != nil {
		return err
	}
	pending := 0
	for _, r := range open {
		if !r.State.Final() {
			pending++
		}
	}
	if pending > 1 { // the request being changed is still open in the store
		return nil
	}
	p.Habilitation = data.HabilitationNone
	return s.store.UpdateProfessional(ctx, p)
}

// ValidateResult is what validating a request gives.
type ValidateResult struct {
	Request  *data.Request
	Account  *data.Account
	MailSent bool
}

// ValidateRequest creates the person's account with a generated password,
// activates her habilitation and mails her the password. Nobody else ever
// sees it: neither the agent nor the logs.
func (s *Service) ValidateRequest(ctx context.Context, c *Caller, id string) (*ValidateResult, error) {
	generated, err := password.Generate()
	if err != nil {
		return nil, err
	}
	hash, err := password.Hash(generated)
	if err != nil {
		return nil, err
	}
	var acc *data.Account
	r, err := s.requestAction(ctx, c, id, data.RequestValidated, "request.validate", "", func(ctx context.Context, r *data.Request) error {
		p, err := s.professionalForValidation(ctx, c, r)
		if err != nil {
			return err
		}
		acc, err = s.accountFor(ctx, r, p)
		if err != nil {
			return err
		}
		acc.PasswordHash, acc.PasswordGenerated = hash, true
		acc.PasswordExpiresAt = s.now().Add(GeneratedPasswordValidity)
		if acc.ID == "" {
			err = s.store.CreateAccount(ctx, acc)
		} else {
			err = s.store.UpdateAccount(ctx, acc)
		}
		if err != nil {
			return err
		}
		if _, err := s.store.DeleteAccountSessions(ctx, acc.ID); err != nil {
			return err
		}
		p.Habilitation, p.Email = data.HabilitationActive, r.Email
		if r.Phone != "" {
			p.Phone = r.Phone
		}
		return s.store.UpdateProfessional(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	caf, _ := s.ref.Caf(r.CafCode)
	m := mail.AccountCreated(caf.HabilitationEmail, acc.Email, fullName(r), s.Site, generated,
		caf.HabilitationEmail, int(GeneratedPasswordValidity.Hours()/24))
	return &ValidateResult{Request: r, Account: acc, MailSent: s.send(ctx, m) == nil}, nil
}

// professionalForValidation returns the listed professional a request is
// for. A structure that is on no list gets its fiche from the request.
func (s *Service) professionalForValidation(ctx context.Context, c *Caller, r *data.Request) (*data.Professional, error) {
	if r.ProfessionalID == "" {
		if r.Kind == data.KindChildminder {
			return nil, data.Errorf(data.ECONFLICT, "Cette demande n'est rattachée à aucune assistante maternelle de la liste de la PMI : rapprochez-la d'abord d'une fiche.")
		}
		p := &data.Professional{
			Kind: data.KindStructure, Department: r.Department, CafCode: r.CafCode,
			Civility: r.Civility, LastName: r.LastName, FirstName: r.FirstName,
			StructureName: r.StructureName, Address: r.Address, Phone: r.Phone, Email: r.Email,
			Listing: data.Listed, Habilitation: data.HabilitationRequested,
		}
		if err := s.store.CreateProfessional(ctx, p); err != nil {
			return nil, err
		}
		r.ProfessionalID, r.Match = p.ID, data.MatchAgent
		return p, nil
	}
	p, err := s.Professional(ctx, c, r.ProfessionalID)
	if err != nil {
		return nil, err
	}
	if p.Listing != data.Listed {
		return nil, data.Errorf(data.ECONFLICT, "Cette personne n'est plus sur la liste de la PMI : elle ne peut pas être habilitée.")
	}
	return p, nil
}

// accountFor returns the account to give the request's person: hers if
// she has one already, a new one otherwise. An address used by someone
// else is a conflict.
func (s *Service) accountFor(ctx context.Context, r *data.Request, p *data.Professional) (*data.Account, error) {
	email := data.NormalizeEmail(r.Email)
	acc, err := s.store.FindAccountByEmail(ctx, email)
	switch {
	case data.ErrorCode(err) == data.ENOTFOUND:
		role := data.RoleChildminder
		if p.Kind == data.KindStructure {
			role = data.RoleStructure
		}
		return &data.Account{Email: email, Role: role, ProfessionalID: p.ID, CafCode: p.CafCode,
			FirstName: r.FirstName, LastName: r.LastName}, nil
	case err != nil:
		return nil, err
	case acc.ProfessionalID != p.ID:
		return nil, data.Errorf(data.ECONFLICT, "L'adresse électronique %s est déjà celle d'un autre compte : demandez à la personne une autre adresse.", email)
	}
	acc.Disabled = false
	return acc, nil
}

// RefuseRequest refuses a request, with a reason that is mailed to the
// person.
func (s *Service) RefuseRequest(ctx context.Context, c *Caller, id, reason string) (*data.Request, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, &data.Error{Code: data.EINVALID, Message: "Indiquez le motif du refus.",
			Fields: map[string]string{"reason": "Indiquez le motif du refus."}}
	}
	r, err := s.requestAction(ctx, c, id, data.RequestRefused, "request.refuse", reason, func(ctx context.Context, r *data.Request) error {
		r.RefusalReason = reason
		if r.ProfessionalID == "" {
			return nil
		}
		return s.releaseProfessional(ctx, r.ProfessionalID)
	})
	if err != nil {
		return nil, err
	}
	caf, _ := s.ref.Caf(r.CafCode)
	s.send(ctx, mail.HabilitationRefused(caf.HabilitationEmail, r.Email, fullName(r), caf.Name, reason))
	return r, nil
}

// habilitationAction changes the habilitation of a professional of the
// agent's Caf, ends her sessions when it stops being active, audits and
// mails her.
func (s *Service) habilitationAction(ctx context.Context, c *Caller, id, action, reason string, from []data.Habilitation, to data.Habilitation,
	message func(from, to, name, caf, reason string) mail.Message) (*data.Professional, error) {
	var p *data.Professional
	err := s.store.InTx(s.authored(ctx, c), func(ctx context.Context) error {
		var err error
		if p, err = s.Professional(ctx, c, id); err != nil {
			return err
		}
		allowed := false
		for _, h := range from {
			allowed = allowed || p.Habilitation == h
		}
		if !allowed {
			return data.Errorf(data.ECONFLICT, "Cette action n'est pas possible pour une habilitation « %s ».", p.Habilitation.Label())
		}
		if to == data.HabilitationActive && p.Listing != data.Listed {
			return data.Errorf(data.ECONFLICT, "Cette personne n'est plus sur la liste de la PMI : son habilitation ne peut pas être réactivée.")
		}
		p.Habilitation = to
		if err := s.store.UpdateProfessional(ctx, p); err != nil {
			return err
		}
		if to != data.HabilitationActive {
			if err := s.endSessionsOf(ctx, p.ID); err != nil {
				return err
			}
		}
		return s.audit(ctx, c, p.CafCode, action, "professional", p.ID, reason)
	})
	if err != nil {
		return nil, err
	}
	if p.Email != "" {
		caf, _ := s.ref.Caf(p.CafCode)
		s.send(ctx, message(caf.HabilitationEmail, p.Email, strings.TrimSpace(p.FirstName+" "+p.LastName), caf.Name, reason))
	}
	return p, nil
}

// endSessionsOf ends the sessions of the accounts of a professional.
func (s *Service) endSessionsOf(ctx context.Context, professionalID string) error {
	list, _, err := s.store.FindAccounts(ctx, data.AccountFilter{ProfessionalID: professionalID})
	if err != nil {
		return err
	}
	for _, a := range list {
		if _, err := s.store.DeleteAccountSessions(ctx, a.ID); err != nil {
			return err
		}
	}
	return nil
}

// SuspendHabilitation suspends an active habilitation.
func (s *Service) SuspendHabilitation(ctx context.Context, c *Caller, id, reason string) (*data.Professional, error) {
	return s.habilitationAction(ctx, c, id, "professional.suspend", reason,
		[]data.Habilitation{data.HabilitationActive}, data.HabilitationSuspended, mail.HabilitationSuspended)
}

// ReactivateHabilitation reactivates a suspended habilitation, or one that
// expired when she left the list and came back on it.
func (s *Service) ReactivateHabilitation(ctx context.Context, c *Caller, id string) (*data.Professional, error) {
	return s.habilitationAction(ctx, c, id, "professional.reactivate", "",
		[]data.Habilitation{data.HabilitationSuspended, data.HabilitationExpired}, data.HabilitationActive, mail.HabilitationReactivated)
}

// RevokeHabilitation withdraws a habilitation for good.
func (s *Service) RevokeHabilitation(ctx context.Context, c *Caller, id, reason string) (*data.Professional, error) {
	return s.habilitationAction(ctx, c, id, "professional.revoke", reason,
		[]data.Habilitation{data.HabilitationActive, data.HabilitationSuspended, data.HabilitationExpired}, data.HabilitationRevoked, mail.HabilitationRevoked)
}

// SendPasswordReset mails a single-use code to a professional of the
// agent's Caf: the agent can trigger it, never read or set a password.
func (s *Service) SendPasswordReset(ctx context.Context, c *Caller, id string) error {
	p, err := s.Professional(ctx, c, id)
	if err != nil {
		return err
	}
	list, _, err := s.store.FindAccounts(ctx, data.AccountFilter{ProfessionalID: p.ID})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return data.Errorf(data.ENOTFOUND, "Cette personne n'a pas encore de compte.")
	}
	for _, a := range list {
		if err := s.mailCode(ctx, a, data.CodePasswordReset, ResetCodeValidity); err != nil {
			return err
		}
		if err := s.audit(ctx, c, p.CafCode, "professional.password_reset", "professional", p.ID, ""); err != nil {
			return err
		}
	}
	return nil
}

// ProfessionalFile is what the register shows of one professional.
type ProfessionalFile struct {
	Professional *data.Professional
	Requests     []*data.Request
	History      []*data.AuditEntry // the actions on her fiche and on her requests, newest first
	Public       data.PublicAvailability
}

// ProfessionalFile gathers a professional of the agent's Caf, her requests,
// her habilitation history and her availability as parents see it.
func (s *Service) ProfessionalFile(ctx context.Context, c *Caller, id string) (*ProfessionalFile, error) {
	p, err := s.Professional(ctx, c, id)
	if err != nil {
		return nil, err
	}
	f := &ProfessionalFile{Professional: p}
	if f.Requests, _, err = s.store.FindRequests(ctx, data.RequestFilter{ProfessionalID: p.ID}); err != nil {
		return nil, err
	}
	for _, target := range append([]string{p.ID}, requestIDs(f.Requests)...) {
		list, _, err := s.store.FindAudit(ctx, data.AuditFilter{TargetID: target, Limit: 200})
		if err != nil {
			return nil, err
		}
		f.History = append(f.History, list...)
	}
	sort.Slice(f.History, func(i, j int) bool { return f.History[i].At.After(f.History[j].At) })
	a, err := s.store.FindAvailability(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	f.Public = data.PublicView(p, a, data.Today(s.Now(), p.Department))
	return f, nil
}

func requestIDs(list []*data.Request) []string {
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	return ids
}
