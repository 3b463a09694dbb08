package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// recordingRelay sits between satchel and a peer, forwards both ways and
// counts the commands of the v1 messages satchel sends.
type recordingRelay struct {
	ln   net.Listener
	mu   sync.Mutex
	cmds map[string]int
	wg   sync.WaitGroup
}

func startRecordingRelay(t *testing.T, target string) *recordingRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recordingRelay{ln: ln, cmds: map[string]int{}}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			r.wg.Add(2)
			go func() { defer r.wg.Done(); io.Copy(c, up); c.Close() }()
			go func() { defer r.wg.Done(); r.read(c, up); up.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close(); r.wg.Wait() })
	return r
}

// read forwards satchel's messages, recording each command.
func (r *recordingRelay) read(from, to net.Conn) {
	var hdr [24]byte
	for {
		if _, err := io.ReadFull(from, hdr[:]); err != nil {
			return
		}
		cmd := strings.TrimRight(string(hdr[4:16]), "\x00")
		payload := make([]byte, binary.LittleEndian.Uint32(hdr[16:20]))
		if _, err := io.ReadFull(from, payload); err != nil {
			return
		}
		r.mu.Lock()
		r.cmds[cmd]++
		r.mu.Unlock()
		if _, err := to.Write(append(hdr[:], payload...)); err != nil {
			return
		}
	}
}

func (r *recordingRelay) addr() string { return r.ln.Addr().String() }

func (r *recordingRelay) sent(cmd string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cmds[cmd]
}

func (r *recordingRelay) commands() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.cmds {
		out[k] = v
	}
	return out
}

// In the app, a payment a peer relays while satchel is connected (inv,
// then getdata) is matched against the wallet locally and shows at once as
// unconfirmed.
func TestRelayedPaymentRecorded(t *testing.T) {
	btcd := regtest.Start(t, regtest.WithArgs("--trickleinterval=100ms"))
	btcd.Generate(110)
	c := newCLI(t)
	restoreAbandon(t, c)
	payTo := scriptOf(t, walletAddr(t, c, 2))
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		getenv: func(k string) string { return c.env[k] },
		flags: globalFlags{network: "regtest", dataDir: c.dataDir, walletName: "default",
			connect: []string{btcd.P2PAddr()}, v2transport: true},
		net: &chaincfg.RegressionNetParams}
	t.Cleanup(a.close)
	node, err := a.startNode()
	if err != nil {
		t.Fatal(err)
	}
	defer node.Stop()
	s, err := a.openSession(node)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	events := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := node.WaitSynced(ctx, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	s.Start(ctx, func() {
		select {
		case events <- struct{}{}:
		default:
		}
	})
	defer s.Stop()

	// Traffic that is not ours is fetched and left alone.
	btcd.SendRaw(btcd.Payment(btcd.CoinbaseCoin(2), 1, nil))
	pay := btcd.Payment(btcd.CoinbaseCoin(1), 1, payTo)
	btcd.SendRaw(pay)
	// The loop reports its first scan too: wait until a report shows the
	// payment.
	timeout := time.After(30 * time.Second)
	for {
		select {
		case <-events:
		case <-timeout:
			t.Fatal("the relayed payment never reached the wallet")
		}
		bal, err := s.Wallet().Balance()
		if err != nil {
			t.Fatal(err)
		}
		if bal.Unconfirmed != 0 || bal.Confirmed != 0 {
			if int64(bal.Unconfirmed) != pay.TxOut[0].Value || bal.Confirmed != 0 {
				t.Fatalf("balance %+v; want the relayed payment unconfirmed", bal)
			}
			break
		}
	}
	if len(node.RecentTxs()) != 2 {
		t.Fatalf("relay feed holds %d transactions; want both", len(node.RecentTxs()))
	}
}

// startMicrosocks runs Debian's microsocks on a free 127.0.0.1 port.
func startMicrosocks(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("microsocks")
	if err != nil {
		t.Fatalf("microsocks is needed for this test (.ci/run installs it): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(bin, "-i", "127.0.0.1", "-p", port)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("microsocks did not listen on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// connectTargets returns the addresses of the connect() calls of an strace
// log: "127.0.0.1:PORT" for IPv4, the socket path for AF_UNIX, the raw
// line for anything else.
func connectTargets(t *testing.T, trace string) []string {
	t.Helper()
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	v4 := regexp.MustCompile(`sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)`)
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, "connect(") {
			if strings.Contains(line, "SOCK_DGRAM") && strings.Contains(line, "AF_INET") {
				out = append(out, "udp socket: "+line)
			}
			continue
		}
		if m := v4.FindStringSubmatch(line); m != nil {
			out = append(out, m[2]+":"+m[1])
			continue
		}
		out = append(out, line)
	}
	return out
}

// Under --proxy the satchel process connects to nothing but the proxy:
// strace sees every connect() it makes. It syncs from a peer given by name
// through microsocks; with the proxy down it fails with a clear error and
// still connects to nothing else.
func TestProxyOnlyConnectsToProxy(t *testing.T) {
	if _, err := exec.LookPath("strace"); err != nil {
		t.Fatalf("strace is needed for this test (.ci/run installs it): %v", err)
	}
	btcd := regtest.Start(t)
	btcd.Generate(30)
	_, height := btcd.BestBlock()
	proxy := startMicrosocks(t)
	_, btcdPort, _ := net.SplitHostPort(btcd.P2PAddr())
	bin := buildBinary(t)
	data := t.TempDir()

	run := func(proxy string, extra ...string) (string, string, error, []string) {
		trace := filepath.Join(t.TempDir(), "trace")
		args := append([]string{"-f", "-qq", "-e", "trace=socket,connect", "-o", trace, bin,
			"--network", "regtest", "--datadir", data, "--proxy", "socks5://" + proxy,
			"--connect", "localhost:" + btcdPort, "--json"}, extra...)
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "strace", args...)
		cmd.Env = []string{"HOME=" + t.TempDir(), "XDG_CONFIG_HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		if ctx.Err() != nil {
			t.Fatalf("satchel %v hung", extra)
		}
		return out.String(), errOut.String(), err, connectTargets(t, trace)
	}

	out, errOut, err, targets := run(proxy, "sync")
	if err != nil || !strings.Contains(out, fmt.Sprintf(`"height": %d`, height)) {
		t.Fatalf("sync through microsocks: %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	if len(targets) == 0 {
		t.Fatal("strace saw no connect at all; the trace is broken")
	}
	for _, tg := range targets {
		if tg != proxy {
			t.Fatalf("satchel connected to %q; only the proxy %s is allowed (all: %v)", tg, proxy, targets)
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	_, errOut, err, targets = run(dead, "sync", "--peer-timeout", "2s")
	if err == nil || !strings.Contains(errOut, "cannot reach the proxy "+dead+": connection refused") ||
		!strings.Contains(errOut, "check --proxy") {
		t.Fatalf("with the proxy down: %v\nstderr: %s", err, errOut)
	}
	for _, tg := range targets {
		if tg != dead {
			t.Fatalf("with the proxy down satchel connected to %q (all: %v)", tg, targets)
		}
	}
}

// A chain below --min-chain-work ends sync with a clear error instead of a
// wait; the flag also comes from config.toml.
func TestSyncRefusesLowWorkChain(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(20)
	c := newCLI(t)
	c.env["SATCHEL_NETWORK"] = "regtest"
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	// An hour's peer timeout: sync must end because the only peer was
	// refused, not because it gave up waiting.
	c.fails("peers offer a chain with less work than the minimum (minimum 0x10000, best chain seen 0x2a at height 20); refusing to trust it",
		"--min-chain-work", "0x10000", "sync", "--peer-timeout", "1h")
	writeConfig(t, c, "min_chain_work = \"10000\"\n")
	c.fails("less work than the minimum (minimum 0x10000", "sync", "--peer-timeout", "1h")
	c.ok("--min-chain-work", "0", "sync")
}

// writeConfig writes config.toml for c.
func writeConfig(t *testing.T, c *cli, text string) {
	t.Helper()
	dir := filepath.Join(c.env["XDG_CONFIG_HOME"], "satchel")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
