package client

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"espacepro/data"
	"espacepro/sync/wire"
)

// Login opens a session with the service. The token stays in memory; the
// local copy keeps the account and a verifier of the password (not the
// password), so that Unlock works offline afterwards (SPEC §6). The answer
// is returned without its token.
//
// A copy holds one account's records: logging in with another account
// starts a new copy, unless the copy still holds edits of the other account
// not yet sent, which Login then refuses to mix.
func (c *Client) Login(ctx context.Context, email, password string) (*wire.LoginResponse, error) {
	var res wire.LoginResponse
	if err := c.call(ctx, "POST", "/api/v1/session", nil, "", wire.LoginRequest{Email: email, Password: password}, &res); err != nil {
		c.update(func(s *Status) { s.LastError = data.ErrorMessage(err) })
		return nil, err
	}
	if res.Token == "" || res.Account == nil {
		return nil, data.Errorf(data.EINTERNAL, msgBadAnswer)
	}
	if err := c.adopt(ctx, res.Account); err != nil {
		_ = c.call(ctx, "DELETE", "/api/v1/session", nil, res.Token, nil, nil)
		return nil, err
	}
	c.setSession(res.Token)
	c.update(func(s *Status) { s.LastError = "" })
	if !res.MustChangePassword {
		if err := c.rememberPassword(ctx, password); err != nil {
			return nil, err
		}
	}
	if res.Professional != nil {
		if err := c.seedProfessional(ctx, res.Professional); err != nil {
			return nil, err
		}
	}
	res.Token = ""
	return &res, nil
}

// adopt records acc as the copy's account, starting a new copy when it
// held another one's.
func (c *Client) adopt(ctx context.Context, acc *wire.Account) error {
	prev, err := c.account(ctx)
	if err != nil {
		return err
	}
	if prev != nil && prev.ID != acc.ID {
		n, err := c.local.CountOutbox(ctx)
		if err != nil {
			return c.localErr(err)
		}
		if n > 0 {
			return data.Errorf(data.EFORBIDDEN, "Cet ordinateur garde %d modification(s) du compte %s qui n'ont pas encore été envoyées : "+
				"connectez-vous d'abord avec ce compte pour les envoyer.", n, prev.Email)
		}
		if err := c.local.ResetScope(ctx); err != nil {
			return c.localErr(err)
		}
		if err := c.local.SetSyncState(ctx, keyVerifier, ""); err != nil {
			return c.localErr(err)
		}
	}
	b, err := json.Marshal(acc)
	if err != nil {
		return err
	}
	return c.localErr(c.local.SetSyncState(ctx, keyAccount, string(b)))
}

func (c *Client) rememberPassword(ctx context.Context, password string) error {
	v, err := hashVerifier(password)
	if err != nil {
		return err
	}
	return c.localErr(c.local.SetSyncState(ctx, keyVerifier, v))
}

// seedProfessional puts the logged-in professional's fiche in the copy
// when it is not there yet, so that her availability can be edited before
// the first pull completes.
func (c *Client) seedProfessional(ctx context.Context, wp *wire.Professional) error {
	_, err := c.local.FindProfessionalByID(ctx, wp.ID)
	if data.ErrorCode(err) != data.ENOTFOUND {
		return c.localErr(err)
	}
	p, err := wp.Domain()
	if err != nil {
		return err
	}
	return c.localErr(c.local.SaveProfessional(ctx, p, nil))
}

// Unlock opens the local copy offline with the e-mail and password of the
// last successful online login on this computer, and returns its account.
func (c *Client) Unlock(ctx context.Context, email, password string) (*wire.Account, error) {
	acc, err := c.account(ctx)
	if err != nil {
		return nil, err
	}
	verifier, err := c.local.SyncState(ctx, keyVerifier)
	if err != nil {
		return nil, c.localErr(err)
	}
	if acc == nil || verifier == "" {
		return nil, data.Errorf(data.EUNAUTHORIZED, "Aucune connexion n'a encore réussi sur cet ordinateur : "+
			"connectez-vous une première fois quand le serveur est joignable pour pouvoir ensuite travailler hors connexion.")
	}
	ok, err := checkVerifier(password, verifier)
	if err != nil {
		return nil, fmt.Errorf("client: offline unlock: %w", err)
	}
	if !ok || !strings.EqualFold(strings.TrimSpace(email), acc.Email) {
		return nil, data.Errorf(data.EUNAUTHORIZED, "Adresse e-mail ou mot de passe incorrect. Hors connexion, "+
			"utilisez ceux de votre dernière connexion réussie sur cet ordinateur.")
	}
	return acc, nil
}

// ChangePassword sets a new password (the first login's generated one must
// be replaced); the service answers with a new session, which the client
// keeps, and the offline verifier follows the new password.
func (c *Client) ChangePassword(ctx context.Context, current, next string) (*wire.LoginResponse, error) {
	token := c.sessionToken()
	if token == "" {
		return nil, data.Errorf(data.EUNAUTHORIZED, MsgNotLoggedIn)
	}
	var res wire.LoginResponse
	err := c.call(ctx, "POST", "/api/v1/password/change", nil, token,
		wire.PasswordChange{CurrentPassword: current, NewPassword: next}, &res)
	if err != nil {
		return nil, err
	}
	if res.Token == "" {
		return nil, data.Errorf(data.EINTERNAL, msgBadAnswer)
	}
	c.setSession(res.Token)
	if err := c.rememberPassword(ctx, next); err != nil {
		return nil, err
	}
	if res.Professional != nil {
		if err := c.seedProfessional(ctx, res.Professional); err != nil {
			return nil, err
		}
	}
	res.Token = ""
	return &res, nil
}

// Logout ends the session, on the service when it can be reached; the
// token is forgotten either way.
func (c *Client) Logout(ctx context.Context) error {
	token := c.sessionToken()
	if token == "" {
		return nil
	}
	err := c.call(ctx, "DELETE", "/api/v1/session", nil, token, nil, nil)
	if data.ErrorCode(err) == data.EUNAUTHORIZED {
		err = nil // it had ended already
	}
	c.update(func(s *Status) {
		c.token = ""
		s.LoggedIn, s.SessionOver = false, false
		if err == nil {
			s.LastError = ""
		}
	})
	return err
}
