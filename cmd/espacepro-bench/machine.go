package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine says where the figures come from.
type machine struct {
	CPU, Memory, Kernel, Go, Database string
	Cores                             int
}

func machineInfo(ctx context.Context, b *bench) machine {
	m := machine{CPU: "unknown CPU", Memory: "?", Kernel: "?", Go: runtime.Version(), Cores: runtime.NumCPU()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "MemTotal:" {
				if kb, err := strconv.ParseFloat(fields[1], 64); err == nil {
					m.Memory = fmt.Sprintf("%.0f GB", kb/1024/1024)
				}
				break
			}
		}
		f.Close()
	}
	if v, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(v))
	}
	var version string
	if b.cfg.db == "sqlite" {
		b.store.DB().QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&version)
		m.Database = "SQLite " + version + " (mattn/go-sqlite3, WAL, synchronous NORMAL)"
	} else {
		b.store.DB().QueryRowContext(ctx, `SHOW server_version`).Scan(&version)
		var fsync string
		b.store.DB().QueryRowContext(ctx, `SHOW fsync`).Scan(&fsync)
		m.Database = "PostgreSQL " + version + " (pgx, on the same machine, fsync " + fsync + ")"
	}
	return m
}

// cpuSample is the machine's and this process's CPU time at one moment,
// in clock ticks.
type cpuSample struct {
	at                 time.Time
	busy, steal, total float64 // all CPUs, from /proc/stat
	own                float64 // this process and its waited-for children
}

func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now()}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		for i := 1; i < len(f) && i <= 8; i++ {
			v, _ := strconv.ParseFloat(f[i], 64)
			s.total += v
			switch i {
			case 4, 5: // idle, iowait
			case 8:
				s.steal = v
			default:
				s.busy += v
			}
		}
	}
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		// Fields after the command's closing parenthesis: utime, stime,
		// cutime and cstime are the 14th to 17th of the line.
		if i := strings.LastIndexByte(string(b), ')'); i > 0 {
			f := strings.Fields(string(b)[i+1:])
			for _, k := range []int{11, 12, 13, 14} {
				if k < len(f) {
					v, _ := strconv.ParseFloat(f[k], 64)
					s.own += v
				}
			}
		}
	}
	return s
}

// cpuUse says how busy the cores were between two samples, in cores.
func cpuUse(a, b cpuSample) string {
	secs := b.at.Sub(a.at).Seconds()
	if secs <= 0 || b.total <= a.total {
		return "CPU use unknown"
	}
	const hz = 100 // USER_HZ
	busy, own, steal := (b.busy-a.busy)/hz/secs, (b.own-a.own)/hz/secs, (b.steal-a.steal)/hz/secs
	return fmt.Sprintf("%.2f of %d cores busy (this process %.2f, other processes %.2f), steal %.2f",
		busy, runtime.NumCPU(), own, max(0, busy-own), steal)
}
