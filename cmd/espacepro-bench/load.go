package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"espacepro/server"
)

// The load generator: n clients, each its own keep-alive HTTP/1.1
// connection (Go's client, as the desktop app), repeating one operation for
// a warm-up that is not counted, then for the measured duration.

// stats is what one load phase measured.
type stats struct {
	n, errs  int64
	window   time.Duration
	p50, p99 time.Duration
	firstErr string
}

func (s stats) rate() float64 {
	if s.window <= 0 {
		return 0
	}
	return float64(s.n) / s.window.Seconds()
}

func (s stats) String() string {
	out := fmt.Sprintf("p50 %s, p99 %s, **%s/s**", ms(s.p50), ms(s.p99), num(s.rate()))
	if s.errs > 0 {
		out += fmt.Sprintf(", %d errors (%s)", s.errs, s.firstErr)
	}
	return out
}

// op is one request of a client; it returns an error for any answer but
// the expected one.
type op func(ctx context.Context) error

// warmUp is how long each load phase runs before it is measured.
const warmUp = time.Second

// runLoad sets up clients (setup is not measured), then runs their
// operations concurrently: warmUp, then d measured. An operation counts
// when it started and ended within the measured window.
func runLoad(ctx context.Context, clients int, d time.Duration, setup func(ctx context.Context, i int) (op, error)) (stats, error) {
	ops := make([]op, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() { ops[i], errs[i] = setup(ctx, i) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return stats{}, fmt.Errorf("setting the clients up: %w", err)
	}
	type result struct {
		lat   []time.Duration
		errs  int64
		first error
	}
	results := make([]result, clients)
	begin := time.Now()
	from, to := begin.Add(warmUp), begin.Add(warmUp+d)
	octx, cancel := context.WithDeadline(ctx, to.Add(30*time.Second))
	defer cancel()
	for i := range clients {
		wg.Go(func() {
			r := &results[i]
			r.lat = make([]time.Duration, 0, 4096)
			for {
				t0 := time.Now()
				if !t0.Before(to) {
					return
				}
				err := ops[i](octx)
				t1 := time.Now()
				if t0.Before(from) || t1.After(to) {
					continue
				}
				if err != nil {
					r.errs++
					if r.first == nil {
						r.first = err
					}
					continue
				}
				r.lat = append(r.lat, t1.Sub(t0))
			}
		})
	}
	wg.Wait()
	var all []time.Duration
	s := stats{window: d}
	for _, r := range results {
		all = append(all, r.lat...)
		s.errs += r.errs
		if r.first != nil && s.firstErr == "" {
			s.firstErr = r.first.Error()
		}
	}
	s.n = int64(len(all))
	s.p50, s.p99 = percentile(all, 0.50), percentile(all, 0.99)
	return s, nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(p*float64(len(d))))]
}

// pinnedTLS trusts exactly the certificate of that fingerprint, as the
// desktop app does.
func pinnedTLS(fingerprint string) *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by the pin check below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("no certificate")
			}
			cert, err := x509.ParseCertificate(raw[0])
			if err != nil {
				return err
			}
			if got := server.Fingerprint(cert); got != fingerprint {
				return fmt.Errorf("certificate fingerprint %s, want %s", got, fingerprint)
			}
			return nil
		},
	}
}

// newClient returns one client's HTTP client: one kept-alive connection.
// With rotate, each new connection comes from another loopback address
// (127.x.y.z), as parents' searches come from many addresses.
func newClient(fingerprint string, rotate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		IdleConnTimeout:     time.Minute,
		TLSClientConfig:     pinnedTLS(fingerprint),
		DisableCompression:  true,
		DialContext:         dialer.DialContext,
	}
	if rotate {
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			d := *dialer
			d.LocalAddr = &net.TCPAddr{IP: nextLoopback()}
			return d.DialContext(ctx, network, addr)
		}
	}
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

var loopbacks atomic.Uint64

// nextLoopback returns a new address of 127.0.0.0/8 other than 127.0.0.1.
func nextLoopback() net.IP {
	n := loopbacks.Add(1)
	return net.IPv4(127, byte(1+(n/(250*250))%250), byte((n/250)%250), byte(1+n%250))
}

// call sends one request and reads the whole answer; it fails unless the
// status is want. out, when not nil, receives the decoded JSON answer.
func call(ctx context.Context, c *http.Client, method, url, token string, body []byte, want int, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("%s %s: %d %s", method, req.URL.Path, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
