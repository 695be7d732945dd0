package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"espacepro/data"
	"espacepro/server"
)

// admin runs an administration command of the national administrator.
func admin(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("admin: no command given")
	}
	cmd := args[0]
	fs := flag.NewFlagSet("admin "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var b backend
	b.register(fs)
	caf := fs.String("caf", "", "Caf `code`, e.g. 921")
	email := fs.String("email", "", "the agent's e-mail `address`")
	first := fs.String("first-name", "", "the agent's first `name`")
	last := fs.String("last-name", "", "the agent's last `name`")
	actor := fs.String("actor", "", "audit: account `ID` of the actor")
	target := fs.String("target", "", "audit: `ID` of the target")
	action := fs.String("action", "", "audit: `action`, e.g. request.validate")
	since := fs.String("since", "", "audit: from this `date` (YYYY-MM-DD, Paris time)")
	until := fs.String("until", "", "audit: up to this `date` included (YYYY-MM-DD, Paris time)")
	limit := fs.Int("limit", 100, "audit: at most `N` entries")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	ctx := context.Background()
	store, sender, _, err := b.open(ctx, log)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := server.NewService(store, sender, log)
	c := server.CommandLine

	switch cmd {
	case "create-agent":
		acc, err := svc.CreateAgent(ctx, c, *caf, *email, *first, *last)
		if err != nil && acc == nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "Agent account created: %s (Caf %s). A code to choose her password was mailed to her.\n", acc.Email, acc.CafCode)
		return describe(err)
	case "send-code":
		if err := svc.SendAgentCode(ctx, c, *email); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "A new code was mailed to %s.\n", *email)
	case "list-agents":
		list, err := svc.ListAgents(ctx, *caf)
		if err != nil {
			return describe(err)
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CAF\tE-MAIL\tNAME\tSTATE")
		for _, a := range list {
			state := "active"
			if a.Disabled {
				state = "disabled"
			} else if a.PasswordHash == "" {
				state = "waiting for her password"
			}
			fmt.Fprintf(w, "%s\t%s\t%s %s\t%s\n", a.CafCode, a.Email, a.FirstName, a.LastName, state)
		}
		return w.Flush()
	case "disable-agent", "enable-agent":
		acc, err := svc.SetAgentDisabled(ctx, c, *email, cmd == "disable-agent")
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "%s: %s.\n", acc.Email, map[bool]string{true: "disabled, her sessions are ended", false: "enabled"}[acc.Disabled])
	case "audit":
		f := data.AuditFilter{CafCode: *caf, ActorID: *actor, TargetID: *target, Action: *action, Limit: *limit}
		for _, d := range []struct {
			text  string
			into  *time.Time
			after int // days after the date given: until includes its day
		}{{*since, &f.Since, 0}, {*until, &f.Until, 1}} {
			if d.text == "" {
				continue
			}
			day, err := data.ParseDate(d.text)
			if err != nil {
				return describe(err)
			}
			*d.into = day.AddDays(d.after).Time(data.DepartmentLocation(""))
		}
		list, total, err := svc.Audit(ctx, c, f)
		if err != nil {
			return describe(err)
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "WHEN (UTC)\tCAF\tWHO\tACTION\tTARGET\tDETAIL")
		for _, e := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s %s\t%s\n", e.At.Format("2006-01-02 15:04:05"), e.CafCode,
				e.ActorName, e.Action, e.TargetKind, e.TargetID, e.Detail)
		}
		w.Flush()
		fmt.Fprintf(stdout, "%d of %d entries.\n", len(list), total)
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("admin: unknown command %q", cmd)
	}
	return nil
}

// describe turns a domain error into a message for the terminal, with its
// per-field details.
func describe(err error) error {
	if err == nil {
		return nil
	}
	msg := data.ErrorMessage(err)
	for k, v := range data.ErrorFields(err) {
		msg += fmt.Sprintf("\n  %s: %s", k, v)
	}
	return errors.New(msg)
}
