package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"espacepro/data"
	"espacepro/data/postgres"
	"espacepro/data/sqlite"
	"espacepro/data/sqlstore"
	"espacepro/server"
	"espacepro/server/mail"
	"espacepro/sync/wire"
)

// The child processes: the bench runs the pulling client and the import
// in processes of their own, so that their peak memory is theirs alone.
// Each prints one JSON object on its standard output.
const (
	childPullCommand   = "child-pull"
	childImportCommand = "child-import"
)

func answer(v any) int {
	json.NewEncoder(os.Stdout).Encode(v)
	return 0
}

// childPull pulls a whole Caf from the empty cursor as an agent's desktop
// does on its first sync: page after page until has_more is false, each
// page gzip'd on the wire and decoded whole. The session token comes in
// ESPACEPRO_BENCH_TOKEN.
func childPull(args []string) int {
	fs := flag.NewFlagSet(childPullCommand, flag.ExitOnError)
	base := fs.String("url", "", "service URL")
	fp := fs.String("fp", "", "certificate fingerprint")
	limit := fs.Int("limit", 500, "records a page")
	fs.Parse(args)
	token := os.Getenv("ESPACEPRO_BENCH_TOKEN")
	c := newClient(*fp, false)
	runtime.GC()
	stop, peak := sampleHeap()
	var res pullResult
	start := time.Now()
	cursor := ""
	for {
		q := url.Values{"protocol": {"1"}, "since": {cursor}, "limit": {strconv.Itoa(*limit)}}
		page, wireBytes, jsonBytes, err := pullPage(c, *base+"/api/v1/sync/pull?"+q.Encode(), token)
		if err != nil {
			stop()
			res.Error = err.Error()
			return answer(res)
		}
		res.Pages++
		res.Records += len(page.Records)
		res.GzipBytes += wireBytes
		res.JSONBytes += jsonBytes
		cursor = page.Cursor
		if !page.HasMore {
			break
		}
	}
	res.Seconds = time.Since(start).Seconds()
	stop()
	res.PeakHeap = peak()
	return answer(res)
}

func pullPage(c *http.Client, u, token string) (*wire.PullResponse, int64, int64, error) {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		return nil, 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.Do(req)
	if err != nil {
		return nil, 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return nil, 0, 0, fmt.Errorf("pull: %d %s", resp.StatusCode, b)
	}
	onWire := &countingReader{r: resp.Body}
	var body io.Reader = onWire
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(onWire)
		if err != nil {
			return nil, 0, 0, err
		}
		body = zr
	}
	plain := &countingReader{r: body}
	var page wire.PullResponse
	if err := json.NewDecoder(plain).Decode(&page); err != nil {
		return nil, 0, 0, err
	}
	io.Copy(io.Discard, plain)
	return &page, onWire.n, plain.n, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// childImport previews then applies a generated PMI list through the
// service, as `espacepro-server import --apply --force` does, on the store
// whose SQLite path or PostgreSQL URL is ESPACEPRO_BENCH_DSN.
func childImport(args []string) int {
	fs := flag.NewFlagSet(childImportCommand, flag.ExitOnError)
	db := fs.String("db", "sqlite", "sqlite or postgres")
	caf := fs.String("caf", "591", "Caf")
	rows := fs.Int("rows", 50000, "rows")
	dir := fs.String("dir", os.TempDir(), "folder for the mails")
	fs.Parse(args)
	var res importResult
	fail := func(err error) int {
		res.Error = err.Error()
		return answer(res)
	}
	ctx := context.Background()
	dsn := os.Getenv("ESPACEPRO_BENCH_DSN")
	var store *sqlstore.Store
	var err error
	if *db == "sqlite" {
		store, err = sqlite.OpenCentral(ctx, dsn)
	} else {
		store, err = postgres.Open(ctx, dsn)
	}
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := server.NewService(store, &mail.FileSender{Dir: filepath.Join(*dir, "import-mail"), Log: log}, log)
	list, err := pmiRows(*caf, *rows)
	if err != nil {
		return fail(err)
	}
	file := pmiCSV(list)
	list = nil
	res.FileBytes = len(file)
	runtime.GC()
	resetPeakRSS()
	stop, peak := sampleHeap()
	start := time.Now()
	pv, err := svc.PreviewImport(ctx, server.CommandLine, *caf, "liste-pmi.csv", file)
	if err != nil {
		stop()
		return fail(err)
	}
	res.PreviewSeconds = time.Since(start).Seconds()
	res.Counts = pv.Counts
	start = time.Now()
	if _, err := svc.ApplyImport(ctx, server.CommandLine, *caf, "liste-pmi.csv", file, pv.SHA256, true); err != nil {
		stop()
		return fail(err)
	}
	res.ApplySeconds = time.Since(start).Seconds()
	stop()
	res.PeakHeap = peak()
	res.PeakRSS = peakRSS()
	return answer(res)
}

// pmiRows makes n rows of a PMI list for the communes of a Caf: civility,
// last name, first name, street number, street type, street name, postal
// code, commune, phone, agrément number, places, date d'agrément.
func pmiRows(caf string, n int) ([][]string, error) {
	ref := data.DefaultReference()
	var communes []data.Commune
	for _, c := range ref.Communes() {
		if k, err := ref.CafOfCommune(c); err == nil && k.Code == caf && len(c.PostalCodes) > 0 {
			communes = append(communes, c)
		}
	}
	if len(communes) == 0 {
		return nil, fmt.Errorf("no commune of Caf %s", caf)
	}
	rows := make([][]string, n)
	for i := range rows {
		c := communes[i%len(communes)]
		rows[i] = []string{"Mme", lastNames[i%len(lastNames)] + "-" + capital(letters(i)), firstNames[i%len(firstNames)],
			strconv.Itoa(1 + i%90), "rue", streets[i%len(streets)], c.PostalCodes[0], c.Name,
			fmt.Sprintf("07%08d", i), fmt.Sprintf("%s-PMI-%06d", c.Department, i), strconv.Itoa(1 + i%4), "01/09/2020"}
	}
	return rows, nil
}

// pmiCSV writes rows as the PMI's CSV export: semicolons, CRLF, UTF-8.
func pmiCSV(rows [][]string) []byte {
	var b strings.Builder
	b.WriteString("Civilité;Nom;Prénom;N° de voie;Type de voie;Nom de voie;Code postal;Commune;Téléphone;N° d'agrément;Nombre de places agréées;Date d'agrément\r\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ";"))
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

// resetPeakRSS resets the kernel's record of this process's peak resident
// memory (VmHWM), so that peakRSS reports the peak from now on.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns VmHWM, in bytes.
func peakRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "VmHWM:" {
			kb, _ := strconv.ParseUint(fields[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
