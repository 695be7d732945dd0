# Espace professionnel: build, run and test on Debian 12. See README.md.
#
#   make run     install what is missing, build, start the server and the app
#   make test    gofmt, go vet and every test (a throw-away PostgreSQL included)
#   make bench   the benchmarks, with the same PostgreSQL
#   make screenshots  PNG screenshots under screenshots/ (the public page with Chromium, the desktop app under Xvfb)
#   make build   bin/espacepro and bin/espacepro-server
#   make package the desktop app's packages in dist/: Linux .tar.xz, Windows .exe
#   make deps    the Debian packages (scripts/install-deps.sh all)
#   make clean   remove bin/, .tmp/ and .run/ (the local server's data)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:
.DEFAULT_GOAL := build

# Go from the official tarball lives in /usr/local/go/bin.
ifeq ($(shell command -v go 2>/dev/null),)
export PATH := $(PATH):/usr/local/go/bin
endif

# Fyne (GLFW) and go-sqlite3 need cgo: never let Go fall back to CGO_ENABLED=0.
export CGO_ENABLED := 1

GO          ?= go
SERVER_ADDR ?= 127.0.0.1:8443
XVFB        := xvfb-run -a -s '-screen 0 1280x800x24'

.PHONY: deps build run test bench screenshots clean package

deps:
	bash scripts/install-deps.sh all

build:
	CGO_ENABLED=1 $(GO) build -o bin/ ./cmd/espacepro ./cmd/espacepro-server

run: deps build
	@if curl -ksf -o /dev/null --max-time 2 "https://$(SERVER_ADDR)/healthz"; then
		echo "make run: a server already answers on $(SERVER_ADDR); stop it, or use make run SERVER_ADDR=127.0.0.1:PORT" >&2
		exit 1
	fi
	mkdir -p .run/server
	rm -f .run/server/fingerprint
	bin/espacepro-server serve --data .run/server --addr "$(SERVER_ADDR)" --demo --fingerprint-file .run/server/fingerprint &
	server=$$!
	trap 'kill $$server 2>/dev/null && wait $$server 2>/dev/null; true' EXIT
	up=
	for _ in $$(seq 100); do
		kill -0 $$server 2>/dev/null || break
		if curl -ksf -o /dev/null --max-time 2 "https://$(SERVER_ADDR)/healthz"; then up=1; break; fi
		sleep 0.1
	done
	if [ -z "$$up" ]; then echo "make run: the server did not start (see above)" >&2; exit 1; fi
	export ESPACEPRO_SERVER="https://$(SERVER_ADDR)"
	for _ in $$(seq 50); do [ -s .run/server/fingerprint ] && break; sleep 0.1; done
	export ESPACEPRO_FINGERPRINT="$$(cat .run/server/fingerprint)"
	export ESPACEPRO_DATA="$${ESPACEPRO_DATA:-$(CURDIR)/.run/desktop}"
	if [ -n "$${DISPLAY:-}" ]; then
		bin/espacepro
	else
		echo "make run: no display (DISPLAY is empty), so the app runs on a virtual screen (Xvfb)."
		echo "          On a desktop session, run make run from a terminal of that session instead."
		$(XVFB) bash -c 'echo "make run: to see it, take a screenshot from another terminal:"
			echo "          DISPLAY=$$DISPLAY XAUTHORITY=$$XAUTHORITY import -window root espacepro.png"
			echo "          Press Ctrl-C here to stop the app and the server."
			exec bin/espacepro'
	fi

test: deps
	@unformatted=$$(find . -name '*.go' -not -path './.*' -not -path '*/testdata/*' -print0 | xargs -0 -r gofmt -l)
	if [ -n "$$unformatted" ]; then
		echo "gofmt: these files need formatting (gofmt -w FILE):" >&2
		echo "$$unformatted" >&2
		exit 1
	fi
	CGO_ENABLED=1 $(GO) vet ./...
	trap 'bash scripts/test-postgres.sh stop' EXIT
	pg=$$(bash scripts/test-postgres.sh start)
	eval "$$pg"
	export ESPACEPRO_TEST_POSTGRES
	status=0
	$(XVFB) env CGO_ENABLED=1 $(GO) test -count=1 ./... || status=$$?
	exit $$status

bench: deps
	@trap 'bash scripts/test-postgres.sh stop' EXIT
	pg=$$(bash scripts/test-postgres.sh start)
	eval "$$pg"
	export ESPACEPRO_TEST_POSTGRES
	status=0
	CGO_ENABLED=1 $(GO) test -run '^$$' -bench . -benchmem ./... || status=$$?
	# The national-size suite (BENCHMARKS.md): 300,000 childminders on
	# SQLite, then on the PostgreSQL above; each run prints its progress on
	# stderr and writes its table, printed together at the end.
	mkdir -p .tmp
	CGO_ENABLED=1 $(GO) build -o .tmp/espacepro-bench ./cmd/espacepro-bench
	.tmp/espacepro-bench --db sqlite --seed bulk --out .tmp/bench-sqlite.md >/dev/null
	.tmp/espacepro-bench --db postgres --seed bulk --out .tmp/bench-postgres.md >/dev/null
	echo
	echo "## espacepro-bench: $$(date -u '+%Y-%m-%d %H:%M UTC') (copy into BENCHMARKS.md)"
	echo
	cat .tmp/bench-sqlite.md .tmp/bench-postgres.md
	if [ "$$status" -ne 0 ]; then echo "make bench: go test -bench failed (see above)" >&2; fi
	exit $$status

# Screenshots for a person to look at (not committed: screenshots/ is ignored):
# the public page with Chromium, then the desktop app's main screens on a
# virtual screen of their own (Xvfb, xdotool, ImageMagick: the x11 group of
# scripts/install-deps.sh, part of deps). SCREENSHOTS_THEME=dark for the
# app's dark variant (light by default).
screenshots: deps build
	bash scripts/screenshots-public.sh screenshots
	bash scripts/screenshots-app.sh screenshots

# The desktop app's packages (scripts/package.sh, README.md "Packages"):
# dist/espacepro-VERSION-linux-amd64.tar.xz and dist/espacepro-VERSION-windows-amd64.exe.
package:
	bash scripts/package.sh

clean:
	bash scripts/test-postgres.sh stop
	rm -rf bin .tmp .run
