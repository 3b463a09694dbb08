# satchel — common tasks. `make` builds, `make test` runs every test.

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

export GOTOOLCHAIN := local

.PHONY: build test race bench bench-all bench-clean fuzz vet clean crash reliability demo

build:
	go build -trimpath -ldflags "$(LDFLAGS)" -o satchel ./cmd/satchel

test:
	go test ./...

# The tests under the race detector: every package but the demo (which
# runs a btcd and the app for a person to look at).
race:
	go test -race $$(go list ./... | grep -v /internal/demo)

vet:
	go vet ./...

# The sync and rescan benchmarks of issue 16 against the real binary and
# local btcd nodes: header + filter-header sync of 100,000 and SYNCMAX
# (default 1,000,000) headers from one and two peers (wall, CPU seconds,
# peak RSS of `satchel sync`, chain bytes a header) and a rescan of
# mainnet-sized filters for 1,000 scripts (filters/s, MB/s); then the
# in-process sync, storage and matching benchmarks. Each runs BENCHCOUNT
# times. The test chains are built on the first run (1,000,000 blocks take
# about ten minutes) and kept running between runs, rebuilt when their tip
# is over 20 hours old; `make bench-clean` stops them.
BENCHCOUNT ?= 3
SYNCMAX ?= 1000000
bench:
	go test -run '^$$' -bench 'BenchmarkSync|BenchmarkRescan' -benchtime 1x -count $(BENCHCOUNT) -timeout 120m ./cmd/satchel -args -sync.max=$(SYNCMAX)
	go test -run '^$$' -bench 'BenchmarkHeaderSync|BenchmarkFilterHeaderSync|BenchmarkMatchScripts' -benchtime 1x -count $(BENCHCOUNT) -timeout 30m ./lightnode
	go test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./lightnode/headerstore

# Every benchmark of every package, including unlock with the production
# KDF parameters.
bench-all:
	go test -run '^$$' -bench . -benchmem -timeout 120m ./...

# Stops the btcd nodes that keep the benchmark chains and deletes them.
bench-clean:
	go run ./internal/regtest/cmd/benchchains stop

# Each fuzz target for FUZZTIME (default 30s); FUZZFLAGS adds go test flags
# (e.g. FUZZFLAGS=-parallel=1 to leave a core free).
FUZZTIME ?= 30s
FUZZFLAGS ?=
fuzz:
	@for pkg in ./keystore ./wallet ./wallet/amount ./wallet/bip21 ./wallet/bip322 ./wallet/bbqr ./wallet/ur ./wallet/labels ./wallet/coinselect ./wallet/psbtx ./lightnode/verify ./lightnode/headerstore; do \
		for f in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; \
			go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) $$pkg || exit 1; \
		done; \
	done

# The long form of the crash test: 100 SIGKILLs during sync (CRASHKILLS).
CRASHKILLS ?= 100
crash:
	SATCHEL_CRASH_KILLS=$(CRASHKILLS) go test -run TestCrashRecovery -v -timeout 60m ./cmd/satchel

# Everything RELIABILITY.md describes, in its long form.
reliability: crash
	go test -run 'TestReorgSuite|TestHostile|TestNoSecrets|TestDamaged' -v ./cmd/satchel ./lightnode/...
	$(MAKE) fuzz

# A throwaway regtest world to try satchel in: a local btcd, a "miner" and a
# "demo" wallet with confirmed and unconfirmed payments, then the TUI on the
# demo wallet (password "demo"). Quitting it stops btcd and removes every
# file. DEMOFLAGS=--no-tui (or DEMO_NO_TUI=1) prints the wallet instead.
DEMOFLAGS ?=
demo:
	go run ./internal/demo/cmd/satchel-demo $(DEMOFLAGS)

clean:
	rm -rf satchel dist
