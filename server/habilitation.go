package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"strings"
	"time"

	"espacepro/data"
	"espacepro/server/captcha"
	"espacepro/server/mail"

	dchest "github.com/dchest/captcha"
)

// CaptchaLength is the number of digits to copy.
const CaptchaLength = 6

// NewCaptcha issues a captcha and returns its ID. Its answer is kept in the
// store, so any instance of the service can check it.
func (s *Service) NewCaptcha(ctx context.Context) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	id := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	if _, err := s.store.DeleteExpiredCaptchas(ctx, now); err != nil {
		return "", err
	}
	if err := s.store.SaveCaptcha(ctx, id, dchest.RandomDigits(CaptchaLength), now.Add(CaptchaValidity)); err != nil {
		return "", err
	}
	return id, nil
}

// CaptchaImage writes captcha id as a PNG image.
func (s *Service) CaptchaImage(ctx context.Context, id string, w io.Writer) error {
	digits, err := s.store.FindCaptcha(ctx, id, s.now())
	if err != nil {
		return err
	}
	return captcha.Image(id, digits, w)
}

// CaptchaAudio writes captcha id spoken in French, as a WAV file.
func (s *Service) CaptchaAudio(ctx context.Context, id string, w io.Writer) error {
	digits, err := s.store.FindCaptcha(ctx, id, s.now())
	if err != nil {
		return err
	}
	return captcha.Audio(digits, w)
}

// checkCaptcha spends captcha id and says whether answer matches it: each
// captcha allows one try.
func (s *Service) checkCaptcha(ctx context.Context, id, answer string) (bool, error) {
	if id == "" {
		return false, nil
	}
	digits, err := s.store.TakeCaptcha(ctx, id, s.now())
	if data.ErrorCode(err) == data.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	answer = strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, answer)
	if len(answer) != len(digits) {
		return false, nil
	}
	for i := range digits {
		if answer[i]-'0' != digits[i] {
			return false, nil
		}
	}
	return true, nil
}

// SubmitResult is the answer to a habilitation request.
type SubmitResult struct {
	Request *data.Request
	Caf     data.Caf
	Matched bool
	// Message is what to tell the person, in French.
	Message string
	// MailSent is false when the confirmation mail could not be sent.
	MailSent bool
}

// NotListedMessage is the seed's advice to a person not on the list.
const NotListedMessage = "Si vous n'êtes pas encore inscrit(e) sur le site, rapprochez-vous de la Caf de votre département pour connaître la procédure à suivre."

// SubmitRequest checks a habilitation request form and its captcha, routes
// it to the Caf of the commune, matches it against the listed professionals
// of that département, stores it and mails a confirmation. Every field error
// comes back at once; nothing is stored unless all is right.
func (s *Service) SubmitRequest(ctx context.Context, form data.RequestForm, captchaID, captchaAnswer string) (*SubmitResult, error) {
	captchaOK, err := s.checkCaptcha(ctx, captchaID, captchaAnswer)
	if err != nil {
		return nil, err
	}
	r, formErr := form.Validate(s.ref)
	if !captchaOK {
		fields := map[string]string{}
		for k, v := range data.ErrorFields(formErr) {
			fields[k] = v
		}
		fields["captcha"] = "Le texte recopié ne correspond pas à l'image, ou il a expiré : recopiez le nouveau texte."
		return nil, &data.Error{Code: data.EINVALID, Message: "Certains champs sont incorrects : corrigez les champs signalés puis recommencez.", Fields: fields}
	}
	if formErr != nil {
		return nil, formErr
	}
	caf, _ := s.ref.Caf(r.CafCode)
	res := &SubmitResult{Request: r, Caf: caf}
	// Two requests for the same person at the same moment both mark her
	// fiche: the second meets a changed row (ECONFLICT) and simply runs again.
	err = retryConflict(3, func() error {
		r.ProfessionalID, r.Match = "", data.MatchNone
		return s.store.InTx(s.authored(ctx, System), func(ctx context.Context) error {
			return s.storeRequest(ctx, r)
		})
	})
	if err != nil {
		return nil, err
	}
	res.Matched = r.ProfessionalID != ""
	res.MailSent = s.send(ctx, mail.RequestConfirmation(caf.HabilitationEmail, r.Email, fullName(r), caf.Name, res.Matched)) == nil
	res.Message = fmt.Sprintf("Votre demande d'habilitation a bien été enregistrée et transmise à la %s.", caf.Name)
	if res.MailSent {
		res.Message += fmt.Sprintf(" Un message de confirmation a été envoyé à %s.", r.Email)
	} else {
		res.Message += " Le message de confirmation n'a pas pu être envoyé pour l'instant ; votre demande est bien enregistrée."
	}
	if !res.Matched && r.Kind == data.KindChildminder {
		res.Message += " Nous ne vous avons pas trouvé(e) sur la liste des assistant(e)s maternel(le)s de votre département. " + NotListedMessage
	}
	return res, nil
}

// storeRequest matches r against the list, marks the fiche it names and
// stores r with its audit entry, in ctx's transaction.
func (s *Service) storeRequest(ctx context.Context, r *data.Request) error {
	p, err := s.match(ctx, r)
	if err != nil {
		return err
	}
	if p != nil {
		r.ProfessionalID, r.Match = p.ID, data.MatchAuto
		// Only a fiche that has no habilitation becomes « demandée »:
		// an anonymous form must not undo what the Caf decided (a
		// suspension or a revocation also hides her from parents).
		if p.Habilitation == data.HabilitationNone {
			p.Habilitation = data.HabilitationRequested
			if err := s.store.UpdateProfessional(ctx, p); err != nil {
				return err
			}
		}
	}
	if err := s.store.CreateRequest(ctx, r); err != nil {
		return err
	}
	detail := "non rapprochée de la liste"
	if p != nil {
		detail = "rapprochée automatiquement"
	}
	return s.audit(ctx, System, r.CafCode, "request.create", "request", r.ID, detail)
}

// retryConflict runs fn again, up to n times in all, while it meets a row
// changed by a concurrent transaction.
func retryConflict(n int, fn func() error) error {
	var err error
	for i := 0; i < n; i++ {
		if err = fn(); data.ErrorCode(err) != data.ECONFLICT {
			return err
		}
		// A short random pause, growing, so that writers that collided
		// do not collide again at once.
		time.Sleep(time.Duration(1+mrand.IntN(3*(i+1))) * time.Millisecond)
	}
	return err
}

func fullName(r *data.Request) string {
	return strings.TrimSpace(r.FirstName + " " + r.LastName)
}

// match finds the one listed professional of the request's département that
// the request is about: by agrément number when one is given (and the last
// name agrees), else by name and postal code. Nil when there is none, or
// more than one.
func (s *Service) match(ctx context.Context, r *data.Request) (*data.Professional, error) {
	if r.Kind == data.KindChildminder && r.AgrementNumber != "" {
		p, err := s.store.FindProfessionalByAgrement(ctx, r.Department, r.AgrementNumber)
		if err == nil && p.Listing == data.Listed && data.NormalizeName(p.LastName) == data.NormalizeName(r.LastName) {
			return p, nil
		} else if err != nil && data.ErrorCode(err) != data.ENOTFOUND {
			return nil, err
		}
	}
	name := r.LastName
	if r.Kind == data.KindStructure {
		name = r.StructureName
	}
	list, _, err := s.store.FindProfessionals(ctx, data.ProfessionalFilter{
		Department: r.Department, PostalCode: r.Address.PostalCode, Kind: r.Kind,
		Listing: data.Listed, Name: name, Limit: 50,
	})
	if err != nil {
		return nil, err
	}
	var found []*data.Professional
	for _, p := range list {
		same := data.NormalizeName(p.LastName) == data.NormalizeName(r.LastName) &&
			data.NormalizeName(p.FirstName) == data.NormalizeName(r.FirstName)
		if r.Kind == data.KindStructure {
			same = data.NormalizeName(p.StructureName) == data.NormalizeName(r.StructureName)
		}
		if same && p.Address.CommuneINSEE == r.Address.CommuneINSEE {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		return nil, nil
	}
	return found[0], nil
}
