package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/wallet/amount"
)

const (
	// crashKillsDefault is how many kills `go test` makes; the Makefile's
	// crash target sets SATCHEL_CRASH_KILLS=100.
	crashKillsDefault = 8

	// crashChainLength is the chain built before the first sync, long
	// enough that header and filter-header sync take a while and the first
	// kills land in the middle of them.
	crashChainLength = 20_000

	// crashMaxDelay bounds how long a sync runs before it is killed, and
	// crashMinWindow is the least range a kill's delay is drawn from.
	crashMaxDelay  = 1500 * time.Millisecond
	crashMinWindow = 100 * time.Millisecond

	// crashExtraBlocks is how many more BuildChain blocks the whole run may
	// add between kills, so later kills land in header sync too. BuildChain
	// spaces blocks one second apart and btcd refuses blocks over two hours
	// ahead of the clock, so this stays well below 7,200.
	crashExtraBlocks = 5_000
)

// crashPhases names where a sync was when it was killed, judged from what
// its databases held afterwards (so a kill before the first header arrived
// counts as "headers" when the chain had grown since the last sync).
var crashPhases = []string{"startup", "headers", "filter headers", "wallet scan", "after scan", "exited first"}

// crashStatus is `node status --offline --json`.
type crashStatus struct {
	Height       *int32  `json:"height"`
	FilterHeight *int32  `json:"filter_height"`
	Hash         *string `json:"hash"`
}

// crashBalance is `balance --json`.
type crashBalance struct {
	Height      *int32 `json:"height"`
	Confirmed   int64  `json:"confirmed"`
	Unconfirmed int64  `json:"unconfirmed"`
	Immature    int64  `json:"immature"`
	Total       int64  `json:"total"`
}

// TestCrashRecovery runs the real binary's sync against btcd while the
// chain grows and pays the wallet, kills it with SIGKILL at random moments,
// and checks after every kill that the databases open and agree with each
// other and with btcd. At the end a finished sync must give exactly the
// balance, history and coins of a clean sync of the same wallet.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it repeatedly during regtest syncs")
	}
	kills := crashKillsDefault
	if s := os.Getenv("SATCHEL_CRASH_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("SATCHEL_CRASH_KILLS=%q: want a positive number", s)
		}
		kills = n
	}
	seed := time.Now().UnixNano()
	if s := os.Getenv("SATCHEL_CRASH_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("SATCHEL_CRASH_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("%d kills, seed %d (set SATCHEL_CRASH_SEED to repeat)", kills, seed)
	rng := rand.New(rand.NewSource(seed))
	started := time.Now()

	bin := buildBinary(t)
	c := newCLI(t)
	restoreAbandon(t, c) // the fast KDF keeps each unlock cheap
	var addrs []addrEntry
	c.jsonOut(&addrs, "address", "list", "--count", "15")

	btcd := regtest.Start(t)
	btcd.BuildChain(crashChainLength)
	// Checkpoints every 2,500 blocks of the first chain: its header sync
	// runs in checkpoint ranges, so kills land in those too.
	var checkpoints []string
	for h := int32(2500); h <= crashChainLength; h += 2500 {
		checkpoints = append(checkpoints, fmt.Sprintf("%d:%s", h, btcd.BlockHash(h)))
	}
	env := func(dataDir string) []string {
		return []string{"SATCHEL_PASSWORD=pw", "SATCHEL_NETWORK=regtest", "SATCHEL_DATADIR=" + dataDir,
			"SATCHEL_CONNECT=" + btcd.P2PAddr(), "SATCHEL_ADD_CHECKPOINT=" + strings.Join(checkpoints, ","),
			"XDG_CONFIG_HOME=" + t.TempDir()}
	}
	crashed := env(c.dataDir)

	// Payments spend the mining key's early coinbases, in order; the wallet
	// must end up with exactly their outputs.
	nextCoin := int32(1)
	var paid int64
	var payments int
	pay := func() {
		tx := btcd.Payment(btcd.CoinbaseCoin(nextCoin), 1+rng.Intn(3), scriptOf(t, addrs[rng.Intn(len(addrs))].Address))
		nextCoin++
		btcd.SendRaw(tx)
		for _, o := range tx.TxOut {
			paid += o.Value
		}
		payments++
	}

	extraLeft := crashExtraBlocks
	extraMax := min(1500, 2*crashExtraBlocks/kills)
	phases := map[string]int{}
	// Kills are spread over how long a sync takes: the first, long sync
	// gets the whole range, later ones about as long as the last sync that
	// ran to completion.
	window := crashMaxDelay
	var lastHeight, lastScan int32 = -1, -1
	// A sync that finishes before its kill still counts as activity, but
	// only syncs that were killed count towards kills.
	killed, runs := 0, 0
	for i := 0; killed < kills; i++ {
		runs++
		if i >= 4*kills {
			t.Fatalf("only %d of %d syncs were killed before finishing", killed, i)
		}
		// Activity before the sync: payments, blocks, sometimes a stretch
		// of chain long enough to interrupt header sync again.
		for range rng.Intn(3) {
			pay()
		}
		btcd.Generate(1 + rng.Intn(3))
		if extraMax > 0 && i > 0 && rng.Intn(3) == 0 {
			n := min(extraLeft, 1+rng.Intn(extraMax))
			extraLeft -= n
			btcd.BuildChain(n)
		}

		delay := time.Duration(rng.Int63n(int64(window)))
		var during time.Duration // activity while the sync runs, if any
		if rng.Intn(2) == 0 {
			during = time.Duration(rng.Int63n(int64(delay) + 1))
		}
		ran, stderr := crashSync(t, bin, crashed, delay, during, func() {
			pay()
			btcd.Generate(1)
		})
		_, target := btcd.BestBlock()

		st, bal := crashCheck(t, bin, crashed, btcd, i)
		if *st.Height < lastHeight {
			t.Fatalf("run %d: the stored tip went back from %d to %d", i, lastHeight, *st.Height)
		}
		if *bal.Height < lastScan {
			t.Fatalf("run %d: the wallet's scanned height went back from %d to %d", i, lastScan, *bal.Height)
		}
		lastHeight, lastScan = *st.Height, *bal.Height

		var phase string
		switch {
		case ran > 0:
			// The next syncs do about as much work as this one did.
			window = min(max(ran*5/4, crashMinWindow), crashMaxDelay)
			phase = "exited first"
			if strings.Contains(stderr, "damaged") {
				t.Fatalf("run %d: sync exited on its own reporting damage: %s", i, stderr)
			}
		case *st.Height == 0 && *bal.Height <= 0:
			phase = "startup"
		case *st.Height < target:
			phase = "headers"
		case *st.FilterHeight < *st.Height:
			phase = "filter headers"
		case *bal.Height < *st.FilterHeight:
			phase = "wallet scan"
		default:
			phase = "after scan"
		}
		if ran == 0 {
			killed++
		}
		phases[phase]++
		when := "killed at " + delay.Round(time.Millisecond).String()
		if ran > 0 {
			when = "finished in " + ran.Round(time.Millisecond).String() + ", before its kill at " + delay.Round(time.Millisecond).String()
		}
		t.Logf("run %d, %s: %s (tip %d/%d, filters %d, wallet %d)",
			i, when, phase, *st.Height, target, *st.FilterHeight, *bal.Height)
	}

	// No payment may be left unconfirmed: the comparison below must not
	// depend on which transactions a peer's mempool happens to announce.
	btcd.Generate(1)
	_, tip := btcd.BestBlock()
	if out, errOut, code := runBinary(t, bin, crashed, "--json", "sync"); code != 0 {
		t.Fatalf("final sync after %d kills: exit %d: %s%s", kills, code, errOut, out)
	}

	clean := newCLI(t)
	restoreAbandon(t, clean)
	if out, errOut, code := runBinary(t, bin, env(clean.dataDir), "--json", "sync"); code != 0 {
		t.Fatalf("clean sync: exit %d: %s%s", code, errOut, out)
	}
	for _, cmd := range []string{"balance", "history", "utxos"} {
		got := crashJSON(t, bin, crashed, cmd)
		want := crashJSON(t, bin, env(clean.dataDir), cmd)
		if !reflect.DeepEqual(got, want) {
			g, _ := json.MarshalIndent(got, "", " ")
			w, _ := json.MarshalIndent(want, "", " ")
			t.Fatalf("%s after %d kills differs from a clean sync:\n--- crashed\n%s\n--- clean\n%s", cmd, kills, g, w)
		}
	}
	// And the clean sync is right: it holds exactly the payments, confirmed.
	var bal crashBalance
	if err := jsonDecode(runOK(t, bin, crashed, "--json", "balance"), &bal); err != nil {
		t.Fatal(err)
	}
	var hist []historyOut
	if err := jsonDecode(runOK(t, bin, crashed, "--json", "history"), &hist); err != nil {
		t.Fatal(err)
	}
	if *bal.Height != tip || bal.Confirmed != paid || bal.Total != paid || len(hist) != payments {
		t.Fatalf("after the final sync: balance %+v at height %d, %d history entries; want %d confirmed at %d and %d entries",
			bal, *bal.Height, len(hist), paid, tip, payments)
	}

	var summary []string
	for _, p := range crashPhases {
		if phases[p] > 0 {
			summary = append(summary, p+" "+strconv.Itoa(phases[p]))
		}
	}
	t.Logf("survived %d SIGKILLs in %v (%d syncs; chain %d blocks, %d payments, %s); state at kill time: %s",
		kills, time.Since(started).Round(time.Second), runs, tip, payments, amount.FormatBTC(btcutil.Amount(paid)), strings.Join(summary, ", "))
}

// crashSync runs `satchel sync` and kills it with SIGKILL after delay,
// calling activity on the test goroutine after during (when nonzero)
// while it runs. It reports how long the sync ran if it exited before the
// kill (zero if it was killed), and what it printed on stderr. The process is always reaped.
func crashSync(t *testing.T, bin string, env []string, delay, during time.Duration, activity func()) (ran time.Duration, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, "--network", "regtest", "sync")
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin = strings.NewReader("")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	reap := func() {
		cmd.Process.Signal(syscall.SIGKILL) // a no-op error once it has exited
		<-done
	}
	defer func() {
		if done != nil {
			reap()
		}
	}()

	kill := time.NewTimer(delay)
	defer kill.Stop()
	var act <-chan time.Time
	if during > 0 {
		at := time.NewTimer(during)
		defer at.Stop()
		act = at.C
	}
	for {
		select {
		case err := <-done:
			done = nil
			if err != nil {
				t.Fatalf("sync exited on its own with %v before the kill: %s", err, errOut.String())
			}
			return time.Since(start), errOut.String()
		case <-act:
			act = nil
			activity()
		case <-kill.C:
			reap()
			done = nil
			return 0, errOut.String()
		}
	}
}

// crashCheck opens every database the way a user would after a crash and
// checks that they are whole and consistent with each other and with btcd.
func crashCheck(t *testing.T, bin string, env []string, btcd *regtest.Node, run int) (crashStatus, crashBalance) {
	t.Helper()
	var st crashStatus
	out := runOK(t, bin, env, "--offline", "--json", "node", "status")
	if err := jsonDecode(out, &st); err != nil || st.Height == nil || st.FilterHeight == nil || st.Hash == nil {
		t.Fatalf("run %d: node status --json: %v: %q", run, err, out)
	}
	if *st.FilterHeight > *st.Height {
		t.Fatalf("run %d: filter headers verified to %d, past the tip %d", run, *st.FilterHeight, *st.Height)
	}
	if want := btcd.BlockHash(*st.Height).String(); *st.Hash != want {
		t.Fatalf("run %d: stored tip %d is %s; btcd has %s there", run, *st.Height, *st.Hash, want)
	}
	var bal crashBalance
	out = runOK(t, bin, env, "--json", "balance")
	if err := jsonDecode(out, &bal); err != nil || bal.Height == nil {
		t.Fatalf("run %d: balance --json: %v: %q", run, err, out)
	}
	if *bal.Height > *st.Height {
		t.Fatalf("run %d: the wallet is scanned to %d, past the stored tip %d", run, *bal.Height, *st.Height)
	}
	if bal.Confirmed+bal.Unconfirmed+bal.Immature != bal.Total || bal.Confirmed < 0 || bal.Unconfirmed < 0 {
		t.Fatalf("run %d: inconsistent balance %+v", run, bal)
	}
	crashJSON(t, bin, env, "history")
	crashJSON(t, bin, env, "utxos")
	return st, bal
}

// crashJSON runs `satchel --json cmd`, which must succeed, and decodes what
// it printed.
func crashJSON(t *testing.T, bin string, env []string, cmd string) any {
	t.Helper()
	out := runOK(t, bin, env, "--json", cmd)
	var v any
	if err := jsonDecode(out, &v); err != nil {
		t.Fatalf("satchel --json %s: %v: %q", cmd, err, out)
	}
	return v
}

// runOK runs the binary, which must exit 0 without reporting damage.
func runOK(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	out, errOut, code := runBinary(t, bin, env, args...)
	if code != 0 || strings.Contains(errOut, "damaged") {
		t.Fatalf("satchel %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}
