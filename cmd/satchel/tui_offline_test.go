package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// TestAppOfflineSigner is the air gap through the app: a watch-only wallet
// online writes a PSBT file; `satchel --offline`, the real binary in tmux
// under strace, opens the app on its PSBT page, reviews the file, signs
// it with the password and exports it to the export folder of
// config.toml; the online side finalizes it and btcd accepts it. The app
// never created a network socket.
func TestAppOfflineSigner(t *testing.T) {
	if _, err := exec.LookPath("strace"); err != nil {
		t.Fatalf("strace is needed for this test (.ci/run installs it): %v", err)
	}
	signer := newCLI(t)
	signer.env["SATCHEL_PASSWORD"] = "cold"
	signer.env["SATCHEL_NETWORK"] = "regtest"
	signer.ok("--offline", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
	var info walletInfo
	signer.jsonOut(&info, "--offline", "wallet", "info")

	online := newCLI(t)
	online.env["SATCHEL_NETWORK"] = "regtest"
	online.ok("wallet", "import", "--descriptor", info.Descriptors.Receive, "--descriptor", info.Descriptors.Change, "--birthday", "1")
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, online, 0)))
	btcd.Generate(101)
	online.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	online.ok("sync")
	files := t.TempDir()
	unsigned := filepath.Join(files, "pay.psbt")
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	online.ok("send", "--to", dest, "--amount", "1.5btc", "--fee-rate", "4", "--psbt-out", unsigned)

	// The offline machine's config sends exports to their own folder.
	exports := t.TempDir()
	conf := t.TempDir()
	if err := os.MkdirAll(filepath.Join(conf, "satchel"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "satchel", "config.toml"),
		[]byte("export_dir = "+`"`+exports+`"`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	trace := filepath.Join(t.TempDir(), "trace")
	env := []string{"HOME=" + t.TempDir(), "TERM=xterm-256color", "XDG_CONFIG_HOME=" + conf}
	s := startTmux(t, 100, 30, env, "strace", "-f", "-qq", "-e", "trace=socket,connect,execve", "-o", trace,
		bin, "--offline", "--network", "regtest", "--datadir", signer.dataDir)

	s.waitFor(20*time.Second, "offline signer", "regtest · offline · locked", "Exports go to "+exports)
	s.keys("o")
	s.waitFor(10*time.Second, "Open a PSBT: a file, base64 or QR parts")
	s.tmux("send-keys", "-t", "e2e", "-l", unsigned)
	s.keys("Enter")
	s.waitFor(10*time.Second, "PSBT · pay.psbt", dest[:12], "1.50000000 BTC", "previous transaction", "change",
		"0 of 1 input · not complete")
	s.keys("S")
	s.waitFor(10*time.Second, "Wallet password (to sign)")
	s.tmux("send-keys", "-t", "e2e", "-l", "cold")
	s.keys("Enter")
	scr := s.waitFor(30*time.Second, "Signed 1 input.", "1 of 1 input · complete", "broadcast it from an online machine")
	if strings.Contains(scr, "b broadcast") {
		t.Errorf("the offline signer offers to broadcast:\n%s", scr)
	}
	s.keys("e")
	s.waitFor(10*time.Second, "Export as (in "+exports)
	s.keys("Enter")
	signed := filepath.Join(exports, "pay-signed.psbt")
	s.waitFor(10*time.Second, "Wrote "+signed)
	s.keys("q")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if dead, status := s.exited(); dead {
			if status != "0" {
				t.Fatalf("the app exited with status %s:\n%s", status, s.screen())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}

	traced, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(traced), `execve("`+bin+`"`) {
		t.Fatalf("the trace does not show the app starting; it is broken:\n%s", traced)
	}
	checkOfflineTrace(t, string(traced))

	raw, err := os.ReadFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := psbtx.Parse(raw); err != nil || len(p.Inputs[0].PartialSigs) != 1 {
		t.Fatalf("the exported PSBT: %v", err)
	}
	var fin struct {
		Txid string `json:"txid"`
		Hex  string `json:"hex"`
	}
	online.jsonOut(&fin, "psbt", "finalize", signed)
	var bc struct {
		Txid string `json:"txid"`
	}
	online.jsonOut(&bc, "broadcast", fin.Hex)
	id, _ := chainhash.NewHashFromStr(fin.Txid)
	if bc.Txid != fin.Txid || !btcd.InMempool(*id) {
		t.Fatalf("broadcast %+v; in btcd's mempool %v", bc, btcd.InMempool(*id))
	}
}

// localSockets are the Unix sockets the app may reach offline, none of
// them a network: Bubble Tea's colour detection looks up the user (glibc
// asks nscd, if it runs) and, inside tmux, runs `tmux info`, a client of
// the local tmux server.
var localSockets = []string{`sun_path="/var/run/nscd/socket"`, `sun_path="/run/nscd/socket"`, `sun_path="/tmp/tmux-`}

// checkOfflineTrace fails t when an strace of socket and connect calls
// shows a socket other than a Unix one, or a connect to anything but
// localSockets.
func checkOfflineTrace(t testing.TB, traced string) {
	t.Helper()
	for _, line := range strings.Split(traced, "\n") {
		switch {
		case strings.Contains(line, "socket(") && !strings.Contains(line, "socket(AF_UNIX"):
			t.Errorf("the offline app opened a network socket: %s", line)
		case strings.Contains(line, "connect("):
			local := false
			for _, s := range localSockets {
				local = local || strings.Contains(line, "sa_family=AF_UNIX, "+s)
			}
			if !local {
				t.Errorf("the offline app connected: %s", line)
			}
		}
	}
}

// traceRecorder counts failures instead of failing.
type traceRecorder struct {
	testing.TB
	failures int
}

func (r *traceRecorder) Helper()               {}
func (r *traceRecorder) Errorf(string, ...any) { r.failures++ }

// The trace check catches network sockets and connects, and lets the
// local Unix sockets of colour detection through.
func TestCheckOfflineTrace(t *testing.T) {
	for _, tt := range []struct {
		line string
		bad  bool
	}{
		{`12 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 5`, true},
		{`12 socket(AF_INET6, SOCK_DGRAM, 0) = 5`, true},
		{`12 socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = 5`, true},
		{`12 connect(5, {sa_family=AF_INET, sin_port=htons(18444), sin_addr=inet_addr("127.0.0.1")}, 16) = 0`, true},
		{`12 connect(5, {sa_family=AF_UNIX, sun_path="/run/dbus/system_bus_socket"}, 110) = 0`, true},
		{`12 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 5`, false},
		{`12 connect(5, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT`, false},
		{`12 connect(5, {sa_family=AF_UNIX, sun_path="/tmp/tmux-0/default"}, 110) = 0`, false},
		{`12 execve("/bin/satchel", ["satchel"], 0x7ffd /* 9 vars */) = 0`, false},
	} {
		r := &traceRecorder{TB: t}
		checkOfflineTrace(r, tt.line)
		if (r.failures > 0) != tt.bad {
			t.Errorf("%s: %d failures, want bad %v", tt.line, r.failures, tt.bad)
		}
	}
}
