package main

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"espacepro/data"
	"espacepro/server"
	"espacepro/server/password"
)

// The ceilings: the same work with nothing of the service around it, in
// the same process, on the same machine, in the same run.

// bareServer serves handler over HTTPS exactly as server.New configures the
// service: the same certificate, TLS 1.2 or later, the same timeouts.
func (b *bench) bareServer(handler http.Handler) (baseURL string, stop func(), err error) {
	certFile, keyFile := server.CertificatePaths(filepath.Join(b.dir, "server"))
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{
		Handler:           handler,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go hs.ServeTLS(ln, "", "")
	return "https://" + ln.Addr().String(), func() { hs.Close() }, nil
}

// bareDB names the database of ceilings (b) and (d): the run's own.
func (b *bench) bareDB() string {
	if b.cfg.db == "sqlite" {
		return "SQLite"
	}
	return "PostgreSQL"
}

// openBare opens the database of ceilings (b) and (d): a SQLite file of its
// own with data/sqlite's pragmas, or a pool of its own on the run's
// PostgreSQL schema (of data/postgres's size).
func (b *bench) openBare() (*sql.DB, error) {
	if b.cfg.db == "postgres" {
		db, err := sql.Open("pgx", b.dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
		return db, nil
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	return sql.Open("sqlite3", "file:"+filepath.Join(b.dir, "bare.db")+"?"+q.Encode())
}

// rebind turns « ? » into « $n » for PostgreSQL.
func (b *bench) rebind(q string) string {
	if b.cfg.db != "postgres" {
		return q
	}
	var s strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			s.WriteString("$" + strconv.Itoa(n))
			continue
		}
		s.WriteRune(c)
	}
	return s.String()
}

// bareWeek is the body of the bare « save one week » handler.
type bareWeek struct {
	ProfessionalID string `json:"professional_id"`
	Monday         string `json:"monday"`
	Use            bool   `json:"use"`
	Grid           string `json:"grid"`
	Places         *int   `json:"places"`
}

// bareSaveWeek loads (b): decode the JSON of a week, data.Week.Validate,
// one upsert of the week's row, nothing else.
func (b *bench) bareSaveWeek(ctx context.Context) (stats, error) {
	db, err := b.openBare()
	if err != nil {
		return stats{}, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE bench_weeks (
		professional_id TEXT NOT NULL, monday TEXT NOT NULL, use_detail BOOLEAN NOT NULL,
		grid TEXT NOT NULL, places INTEGER, updated_at BIGINT NOT NULL,
		PRIMARY KEY (professional_id, monday))`); err != nil {
		return stats{}, err
	}
	upsert := b.rebind(`INSERT INTO bench_weeks (professional_id, monday, use_detail, grid, places, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (professional_id, monday) DO UPDATE SET
		use_detail = excluded.use_detail, grid = excluded.grid, places = excluded.places, updated_at = excluded.updated_at`)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in bareWeek
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		monday, err := data.ParseDate(in.Monday)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		grid, err := data.DecodeWeekGrid(in.Grid)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		week := data.Week{Monday: monday, Use: in.Use, Grid: grid, Places: in.Places}
		if err := week.Validate(); err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		var places any
		if week.Places != nil {
			places = int64(*week.Places)
		}
		if _, err := db.ExecContext(r.Context(), upsert, in.ProfessionalID, monday.String(), week.Use,
			week.Grid.Encode(), places, time.Now().UnixMilli()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	baseURL, stop, err := b.bareServer(handler)
	if err != nil {
		return stats{}, err
	}
	defer stop()
	monday := data.Today(time.Now(), "92").Monday().String()
	return runLoad(ctx, b.cfg.clients, b.cfg.duration, func(ctx context.Context, i int) (op, error) {
		c := newClient(b.fp, false)
		r := rand.New(rand.NewPCG(uint64(i), 13))
		grid := data.NewWeekGrid()
		return func(ctx context.Context) error {
			for range 3 {
				d, s := r.IntN(data.DaysPerWeek), r.IntN(data.SlotsPerDay)
				grid[d][s] = grid[d][s].Next()
			}
			body, _ := json.Marshal(bareWeek{ProfessionalID: fmt.Sprintf("bare-%d", i), Monday: monday, Use: true,
				Grid: grid.Encode(), Places: data.PlacesOf(2)})
			return call(ctx, c, "POST", baseURL+"/week", "", body, http.StatusNoContent, nil)
		}, nil
	})
}

// scanResult is what ceiling (c) measured.
type scanResult struct {
	took      time.Duration
	records   int
	gzipBytes int64
}

// rawScan is (c): plain SQL reads of a Caf's fiches, global colours, weeks
// and their fields' versions — everything its first pull sends — turned
// into the same records and encoded as JSON, gzip'd as the pull is.
func (b *bench) rawScan(ctx context.Context, caf string) (scanResult, error) {
	db := b.store.DB()
	start := time.Now()
	records := map[string]*data.Record{}
	var order []*data.Record
	get := func(entity, key string) *data.Record {
		k := entity + "\x00" + key
		r, ok := records[k]
		if !ok {
			r = &data.Record{Entity: entity, Key: key, Versions: map[string]int64{}}
			records[k] = r
			order = append(order, r)
		}
		return r
	}
	query := func(q string, scan func(*sql.Rows) error) error {
		rows, err := db.QueryContext(ctx, b.rebind(q), caf)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err := query(`SELECT id, kind, department, caf_code, agrement_number, civility, last_name,
		first_name, structure_name, street_number, street_type, street_name, postal_code,
		commune_insee, commune_name, phone, email, places_agreed, agrement_date, capacity,
		opening_hours, listing, habilitation FROM professionals WHERE caf_code = ?`, func(rows *sql.Rows) error {
		var p data.Professional
		var date string
		a := &p.Address
		if err := rows.Scan(&p.ID, &p.Kind, &p.Department, &p.CafCode, &p.AgrementNumber, &p.Civility,
			&p.LastName, &p.FirstName, &p.StructureName, &a.Number, &a.StreetType, &a.StreetName,
			&a.PostalCode, &a.CommuneINSEE, &a.CommuneName, &p.Phone, &p.Email, &p.PlacesAgreed,
			&date, &p.Capacity, &p.OpeningHours, &p.Listing, &p.Habilitation); err != nil {
			return err
		}
		if date != "" {
			d, err := data.ParseDate(date)
			if err != nil {
				return err
			}
			p.AgrementDate = d
		}
		get("professional", p.ID).Fields = data.ProfessionalFields(&p)
		return nil
	})
	if err == nil {
		err = query(`SELECT a.professional_id, a.global FROM availability a
			JOIN professionals p ON p.id = a.professional_id WHERE p.caf_code = ?`, func(rows *sql.Rows) error {
			var id, global string
			if err := rows.Scan(&id, &global); err != nil {
				return err
			}
			get("availability", id).Fields = map[string]string{"global": global}
			return nil
		})
	}
	if err == nil {
		err = query(`SELECT w.professional_id, w.monday, w.use_detail, w.grid, w.places FROM availability_weeks w
			JOIN professionals p ON p.id = w.professional_id WHERE p.caf_code = ?`, func(rows *sql.Rows) error {
			var id, monday, grid string
			var w data.Week
			var places sql.NullInt64
			if err := rows.Scan(&id, &monday, &w.Use, &grid, &places); err != nil {
				return err
			}
			var err error
			if w.Monday, err = data.ParseDate(monday); err != nil {
				return err
			}
			if w.Grid, err = data.DecodeWeekGrid(grid); err != nil {
				return err
			}
			if places.Valid {
				w.Places = data.PlacesOf(int(places.Int64))
			}
			get("week", data.WeekKey(id, w.Monday)).Fields = w.Fields()
			return nil
		})
	}
	// The versions, by their primary key, a page of keys at a time (a
	// join with the change log makes PostgreSQL scan every stamp).
	for lo := 0; err == nil && lo < len(order); lo += b.cfg.pullLimit {
		byEntity := map[string][]any{}
		for _, r := range order[lo:min(lo+b.cfg.pullLimit, len(order))] {
			byEntity[r.Entity] = append(byEntity[r.Entity], r.Key)
		}
		for entity, keys := range byEntity {
			var rows *sql.Rows
			rows, err = db.QueryContext(ctx, b.rebind(`SELECT key, field, version FROM field_stamps
				WHERE entity = ? AND key IN (`+strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",")+`)`),
				append([]any{entity}, keys...)...)
			if err != nil {
				break
			}
			for rows.Next() {
				var key, field string
				var version int64
				if err = rows.Scan(&key, &field, &version); err != nil {
					break
				}
				if r, ok := records[entity+"\x00"+key]; ok {
					r.Versions[field] = version
				}
			}
			if err == nil {
				err = rows.Err()
			}
			rows.Close()
			if err != nil {
				break
			}
		}
	}
	if err != nil {
		return scanResult{}, fmt.Errorf("raw scan: %w", err)
	}
	var n countingWriter
	gz, _ := gzip.NewWriterLevel(&n, gzip.BestSpeed)
	if err := json.NewEncoder(gz).Encode(order); err != nil {
		return scanResult{}, err
	}
	gz.Close()
	return scanResult{took: time.Since(start), records: len(order), gzipBytes: int64(n)}, nil
}

// countingWriter counts what is written to it.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// bulkInsert is (d): the PMI list's rows inserted as they are, in one
// transaction, through one prepared statement.
func (b *bench) bulkInsert(ctx context.Context) (time.Duration, error) {
	db, err := b.openBare()
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE bench_pmi (line INTEGER PRIMARY KEY,
		civility TEXT NOT NULL, last_name TEXT NOT NULL, first_name TEXT NOT NULL, street_number TEXT NOT NULL,
		street_type TEXT NOT NULL, street_name TEXT NOT NULL, postal_code TEXT NOT NULL, commune TEXT NOT NULL,
		phone TEXT NOT NULL, agrement_number TEXT NOT NULL, places TEXT NOT NULL, agrement_date TEXT NOT NULL)`); err != nil {
		return 0, err
	}
	rows, err := pmiRows(b.cfg.importCaf, b.cfg.importRows)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, b.rebind(`INSERT INTO bench_pmi VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`))
	if err != nil {
		return 0, err
	}
	for i, r := range rows {
		if _, err := stmt.ExecContext(ctx, i+2, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11]); err != nil {
			return 0, err
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// argon2Ceiling is (e): password.Verify of the right password, as fast as
// every core allows, for d; it returns verifications a second.
func argon2Ceiling(hash string, d time.Duration) (float64, error) {
	var n atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(end) {
				if ok, _, err := password.Verify(benchPassword, hash); !ok || err != nil {
					failed.Store(true)
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		return 0, fmt.Errorf("argon2id: the bench password does not verify")
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}
