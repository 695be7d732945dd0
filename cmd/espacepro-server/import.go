package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"text/tabwriter"

	"espacepro/server"
)

// importList previews, or with --apply applies, a PMI list for a Caf.
func importList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var b backend
	b.register(fs)
	caf := fs.String("caf", "", "Caf `code` the list is for, e.g. 921 (required)")
	apply := fs.Bool("apply", false, "apply the list (default: only show what it would do)")
	force := fs.Bool("force", false, "apply even if it delists a large share of the register")
	all := fs.Bool("all", false, "list every change, not only the first 50 of each kind")
	// The file may stand anywhere among the flags.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 1 {
		return errors.New("import: give one file: espacepro-server import --data DIR --caf 921 FILE [--apply]")
	}
	file := files[0]
	content, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	ctx := context.Background()
	store, sender, _, err := b.open(ctx, log)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := server.NewService(store, sender, log)
	name := filepath.Base(file)
	var pv *server.ImportPreview
	if *apply {
		res, err := svc.ApplyImport(ctx, server.CommandLine, *caf, name, content, "", *force)
		if err != nil {
			return describe(err)
		}
		pv = res.Preview
	} else if pv, err = svc.PreviewImport(ctx, server.CommandLine, *caf, name, content); err != nil {
		return describe(err)
	}
	printPreview(stdout, pv, *all)
	switch {
	case *apply:
		fmt.Fprintln(stdout, "Applied: the register now follows this list.")
	case pv.NeedsForce:
		fmt.Fprintln(stdout, pv.Warning)
		fmt.Fprintln(stdout, "Nothing was changed. Add --apply --force to apply it anyway.")
	default:
		fmt.Fprintln(stdout, "Nothing was changed. Add --apply to apply this list.")
	}
	return nil
}

func printPreview(w io.Writer, pv *server.ImportPreview, all bool) {
	fmt.Fprintf(w, "File %s (%s, %s) for Caf %s, SHA-256 %s\n", pv.File, pv.Format, pv.Encoding, pv.CafCode, pv.SHA256)
	for _, k := range []string{server.ChangeNew, server.ChangeUpdated, server.ChangeRelisted, server.ChangeUnchanged, server.ChangeDelisted, server.ChangeRejected} {
		fmt.Fprintf(w, "  %-10s %6d\n", k, pv.Counts[k])
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	shown := map[string]int{}
	for _, ch := range pv.Changes {
		if shown[ch.Kind]++; shown[ch.Kind] > 50 && !all {
			continue
		}
		who := ""
		if ch.Professional != nil {
			who = ch.Professional.AgrementNumber + " " + ch.Professional.DisplayName()
		}
		fmt.Fprintf(tw, "%s\tline %d\t%s\t%s%v\n", ch.Kind, ch.Line, who, ch.Reason, fieldsOrEmpty(ch.Fields))
	}
	tw.Flush()
}

func fieldsOrEmpty(f []string) any {
	if len(f) == 0 {
		return ""
	}
	return f
}
