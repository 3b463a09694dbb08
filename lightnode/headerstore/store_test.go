package headerstore

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"go.etcd.io/bbolt"
)

func TestOpenCreatesGenesis(t *testing.T) {
	tests := []struct {
		name   string
		params *chaincfg.Params
	}{
		{"mainnet", &chaincfg.MainNetParams},
		{"testnet3", &chaincfg.TestNet3Params},
		{"testnet4", &chaincfg.TestNet4Params},
		{"signet", &chaincfg.SigNetParams},
		{"regtest", &chaincfg.RegressionNetParams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data", tc.name)
			path := filepath.Join(dir, "chain.db")
			s := openStore(t, path, tc.params)

			tip := s.Tip()
			wantWork := blockchain.CalcWork(tc.params.GenesisBlock.Header.Bits)
			if tip.Height != 0 || tip.Hash != *tc.params.GenesisHash || tip.Work.Cmp(wantWork) != 0 {
				t.Fatalf("tip = %d %s work %s, want 0 %s work %s",
					tip.Height, tip.Hash, tip.Work, tc.params.GenesisHash, wantWork)
			}
			if tip.Header.BlockHash() != *tc.params.GenesisHash {
				t.Fatalf("tip header hashes to %s", tip.Header.BlockHash())
			}
			g, err := s.HeaderByHash(tc.params.GenesisHash)
			if err != nil {
				t.Fatalf("HeaderByHash(genesis): %v", err)
			}
			sameHeader(t, g, &StoredHeader{Header: tip.Header, Hash: tip.Hash, Work: wantWork})
			if loc := s.Locator(); len(loc) != 1 || loc[0] != *tc.params.GenesisHash {
				t.Fatalf("Locator = %v, want just genesis", loc)
			}
			if _, err := s.HeaderByHeight(1); !errors.Is(err, ErrNotFound) {
				t.Fatalf("HeaderByHeight(1) = %v, want ErrNotFound", err)
			}

			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm != 0o600 {
				t.Errorf("chain.db mode %o, want 600", perm)
			}
			di, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if perm := di.Mode().Perm(); perm != 0o700 {
				t.Errorf("network folder mode %o, want 700", perm)
			}
		})
	}
}

func TestConnectAndRead(t *testing.T) {
	path := chainPath(t)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	genesis := tipHeader(s)
	headers := extend(genesis, 5000, chaincfg.RegressionNetParams.PowLimitBits, 0)
	all := append([]StoredHeader{genesis}, headers...)

	// Uneven batches, as the node gets them from several peers.
	for _, n := range []int{1, 1999, 2000, 1000} {
		batch := headers[:n]
		headers = headers[n:]
		if err := s.Connect(s.Tip().Height, batch); err != nil {
			t.Fatalf("Connect %d headers: %v", n, err)
		}
	}

	tip := s.Tip()
	last := &all[5000]
	if tip.Height != 5000 || tip.Hash != last.Hash || tip.Work.Cmp(last.Work) != 0 {
		t.Fatalf("tip = %d %s, want 5000 %s", tip.Height, tip.Hash, last.Hash)
	}
	tip.Work.SetInt64(0)
	if s.Tip().Work.Sign() == 0 {
		t.Fatal("changing the Work returned by Tip changed the store's tip")
	}

	for _, h := range []int32{0, 1, 2, 1999, 2000, 2001, 4000, 4999, 5000} {
		got, err := s.HeaderByHeight(h)
		if err != nil {
			t.Fatalf("HeaderByHeight(%d): %v", h, err)
		}
		sameHeader(t, got, &all[h])
		got, err = s.HeaderByHash(&all[h].Hash)
		if err != nil {
			t.Fatalf("HeaderByHash(%d): %v", h, err)
		}
		sameHeader(t, got, &all[h])
	}
	for _, h := range []int32{-1, 5001, 1 << 30} {
		if _, err := s.HeaderByHeight(h); !errors.Is(err, ErrNotFound) {
			t.Errorf("HeaderByHeight(%d) = %v, want ErrNotFound", h, err)
		}
	}
	unknown := chainhash.DoubleHashH([]byte("not a block"))
	if _, err := s.HeaderByHash(&unknown); !errors.Is(err, ErrNotFound) {
		t.Errorf("HeaderByHash(unknown) = %v, want ErrNotFound", err)
	}

	rangeTests := []struct {
		name        string
		start       int32
		count       int
		first, want int
	}{
		{"from genesis", 0, 25, 0, 25},
		{"explorer page", 3990, 20, 3990, 20},
		{"clipped at tip", 4990, 100, 4990, 11},
		{"just the tip", 5000, 1, 5000, 1},
		{"above tip", 5001, 10, 0, 0},
		{"zero count", 10, 0, 0, 0},
		{"huge count", 4999, math.MaxInt, 4999, 2},
	}
	for _, tc := range rangeTests {
		t.Run("Headers/"+tc.name, func(t *testing.T) {
			got, err := s.Headers(tc.start, tc.count)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Fatalf("got %d headers, want %d", len(got), tc.want)
			}
			for i := range got {
				sameHeader(t, &got[i], &all[tc.first+i])
			}
		})
	}
	if _, err := s.Headers(-1, 5); !errors.Is(err, ErrNotFound) {
		t.Errorf("Headers(-1) = %v, want ErrNotFound", err)
	}
	for _, tc := range rangeTests {
		t.Run("BlockHashes/"+tc.name, func(t *testing.T) {
			got, err := s.BlockHashes(tc.start, tc.count)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Fatalf("got %d hashes, want %d", len(got), tc.want)
			}
			for i := range got {
				if got[i] != all[tc.first+i].Hash {
					t.Fatalf("hash %d = %s, want %s", tc.first+i, got[i], all[tc.first+i].Hash)
				}
			}
		})
	}
	if _, err := s.BlockHashes(-1, 5); !errors.Is(err, ErrNotFound) {
		t.Errorf("BlockHashes(-1) = %v, want ErrNotFound", err)
	}
}

func TestReorg(t *testing.T) {
	path := chainPath(t)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	bits := chaincfg.RegressionNetParams.PowLimitBits
	old := append([]StoredHeader{tipHeader(s)}, extend(tipHeader(s), 100, bits, 0)...)
	connectAll(t, s, old[1:], 2000)

	fork := int32(90)
	branch := extend(old[fork], 15, bits, 1)
	if err := s.Connect(fork, branch); err != nil {
		t.Fatalf("Connect reorg: %v", err)
	}

	check := func(t *testing.T, s Store) {
		t.Helper()
		if tip := s.Tip(); tip.Height != 105 || tip.Hash != branch[14].Hash {
			t.Fatalf("tip = %d %s, want 105 %s", tip.Height, tip.Hash, branch[14].Hash)
		}
		for _, h := range old[fork+1:] {
			if _, err := s.HeaderByHash(&h.Hash); !errors.Is(err, ErrNotFound) {
				t.Fatalf("replaced header %d still found by hash: %v", h.Height, err)
			}
		}
		for i := range branch {
			got, err := s.HeaderByHeight(branch[i].Height)
			if err != nil {
				t.Fatal(err)
			}
			sameHeader(t, got, &branch[i])
			got, err = s.HeaderByHash(&branch[i].Hash)
			if err != nil {
				t.Fatal(err)
			}
			sameHeader(t, got, &branch[i])
		}
		got, err := s.HeaderByHeight(fork)
		if err != nil {
			t.Fatal(err)
		}
		sameHeader(t, got, &old[fork])
		if loc := s.Locator(); loc[0] != branch[14].Hash || loc[10] != branch[3].Hash {
			t.Fatalf("locator does not follow the new branch")
		}
	}
	check(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := rawIndexLen(t, path); n != 106 {
		t.Fatalf("hash index has %d entries after the reorg, want 106", n)
	}
	check(t, openStore(t, path, &chaincfg.RegressionNetParams))
}

func TestReorgToShorterChain(t *testing.T) {
	path := chainPath(t)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	params := &chaincfg.RegressionNetParams
	old := append([]StoredHeader{tipHeader(s)}, extend(tipHeader(s), 50, params.PowLimitBits, 0)...)
	connectAll(t, s, old[1:], 2000)

	// Three headers of a much harder difficulty outweigh the last ten.
	branch := extend(old[40], 3, chaincfg.MainNetParams.PowLimitBits, 1)
	if err := s.Connect(40, branch); err != nil {
		t.Fatal(err)
	}
	if tip := s.Tip(); tip.Height != 43 || tip.Hash != branch[2].Hash {
		t.Fatalf("tip = %d, want 43", tip.Height)
	}
	for _, h := range []int32{44, 50} {
		if _, err := s.HeaderByHeight(h); !errors.Is(err, ErrNotFound) {
			t.Fatalf("height %d above the new tip: %v, want ErrNotFound", h, err)
		}
	}
	if got, err := s.Headers(40, 100); err != nil || len(got) != 4 {
		t.Fatalf("Headers(40, 100) = %d headers, %v; want 4", len(got), err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := rawIndexLen(t, path); n != 44 {
		t.Fatalf("hash index has %d entries, want 44", n)
	}
}

func TestConnectRejectsWithoutWriting(t *testing.T) {
	path := chainPath(t)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	bits := chaincfg.RegressionNetParams.PowLimitBits
	chain := append([]StoredHeader{tipHeader(s)}, extend(tipHeader(s), 100, bits, 0)...)
	connectAll(t, s, chain[1:], 2000)
	next := extend(chain[100], 10, bits, 0)
	side := extend(chain[95], 10, bits, 1)

	tests := []struct {
		name    string
		fork    int32
		headers func() []StoredHeader
	}{
		{"empty", 100, func() []StoredHeader { return nil }},
		{"fork above tip", 101, func() []StoredHeader { return extend(next[0], 3, bits, 0) }},
		{"negative fork", -1, func() []StoredHeader { return next }},
		{"wrong parent", 100, func() []StoredHeader { return side[1:] }},
		{"fork not the parent", 95, func() []StoredHeader {
			// Heights fit fork 95, but the first header builds on 100.
			h := extend(chain[100], 3, bits, 0)
			for i := range h {
				h[i].Height = 96 + int32(i)
			}
			return h
		}},
		{"height gap", 100, func() []StoredHeader {
			h := append([]StoredHeader(nil), next...)
			h[5].Height++
			return h
		}},
		{"broken link", 100, func() []StoredHeader {
			h := append([]StoredHeader(nil), next[:4]...)
			return append(h, next[5:]...)
		}},
		{"missing work", 100, func() []StoredHeader {
			h := append([]StoredHeader(nil), next...)
			h[3].Work = nil
			return h
		}},
		{"work goes down", 100, func() []StoredHeader {
			h := append([]StoredHeader(nil), next...)
			h[3].Work = big.NewInt(1)
			return h
		}},
		{"less work than fork", 100, func() []StoredHeader {
			h := append([]StoredHeader(nil), next[:1]...)
			h[0].Work = big.NewInt(1)
			return h
		}},
		{"work too large", 100, func() []StoredHeader {
			h := append([]StoredHeader(nil), next[:1]...)
			h[0].Work = new(big.Int).Lsh(big.NewInt(1), 256)
			return h
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := fileDigest(t, path)
			tip := s.Tip()
			err := s.Connect(tc.fork, tc.headers())
			wantErr(t, err, ErrNotChained)
			if after := fileDigest(t, path); after != before {
				t.Fatal("a rejected Connect changed chain.db")
			}
			if got := s.Tip(); got.Hash != tip.Hash || got.Height != tip.Height {
				t.Fatalf("tip moved to %d", got.Height)
			}
		})
	}

	// The store still accepts the real continuation afterwards.
	if err := s.Connect(100, next); err != nil {
		t.Fatalf("Connect after rejections: %v", err)
	}
}

func TestReopenKeepsTip(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 2500)
	before := fileDigest(t, path)

	s := openStore(t, path, &chaincfg.RegressionNetParams)
	if tip := s.Tip(); tip.Height != 2500 || tip.Hash != all[2500].Hash || tip.Work.Cmp(all[2500].Work) != 0 {
		t.Fatalf("tip after reopen = %d %s, want 2500 %s", tip.Height, tip.Hash, all[2500].Hash)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fileDigest(t, path) != before {
		t.Fatal("opening a healthy chain.db wrote to it")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.HeaderByHeight(1); err == nil {
		t.Fatal("HeaderByHeight after Close succeeded")
	}
}

func TestOpenOtherNetworkFails(t *testing.T) {
	path := chainPath(t)
	regtestChain(t, path, 10)
	before := fileDigest(t, path)

	_, err := Open(&Config{Path: path, Params: &chaincfg.MainNetParams})
	wantErr(t, err, ErrWrongNetwork)
	wantErr(t, err, ErrDamaged)
	for _, want := range []string{"regtest", "mainnet", "--network"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if fileDigest(t, path) != before {
		t.Fatal("a refused open changed chain.db")
	}
	// The right network still opens it.
	openStore(t, path, &chaincfg.RegressionNetParams)
}

func TestOpenInUse(t *testing.T) {
	path := chainPath(t)
	openStore(t, path, &chaincfg.RegressionNetParams)

	for _, ro := range []bool{false, true} {
		_, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams,
			ReadOnly: ro, LockTimeout: 20 * time.Millisecond})
		wantErr(t, err, ErrInUse)
		if !strings.Contains(err.Error(), "in use by another satchel process") {
			t.Errorf("error %q does not say the file is in use", err)
		}
	}
}

func TestReadOnly(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 30)
	before := fileDigest(t, path)

	cfg := &Config{Path: path, Params: &chaincfg.RegressionNetParams, ReadOnly: true}
	s1, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Close()
	s2, err := Open(cfg) // readers share the file
	if err != nil {
		t.Fatalf("second read-only Open: %v", err)
	}
	defer s2.Close()

	if tip := s1.Tip(); tip.Height != 30 || tip.Hash != all[30].Hash {
		t.Fatalf("tip = %d", tip.Height)
	}
	if got, err := s2.HeaderByHash(&all[7].Hash); err != nil || got.Height != 7 {
		t.Fatalf("HeaderByHash = %v, %v", got, err)
	}
	wantErr(t, s1.Connect(30, extend(all[30], 1, 0x207fffff, 0)), ErrReadOnly)
	wantErr(t, s1.Ban("1.2.3.4", time.Now().Add(time.Hour), "test"), ErrReadOnly)
	wantErr(t, s1.Unban("1.2.3.4"), ErrReadOnly)
	hashes, fhs := filterBatch(all[:3])
	wantErr(t, s1.PutFilterHeaders(0, hashes, fhs), ErrReadOnly)
	hashes, filters := filtersOf(all[:3], 10)
	wantErr(t, s1.PutFilters(0, hashes, filters), ErrReadOnly)
	wantErr(t, s1.PutBlock(fakeBlock(t, &all[1].Header, 100)), ErrReadOnly)
	if _, err := s1.Bans(); err != nil {
		t.Fatalf("Bans: %v", err)
	}
	s1.Close()
	s2.Close()
	if fileDigest(t, path) != before {
		t.Fatal("read-only use changed chain.db")
	}

	missing := filepath.Join(t.TempDir(), "regtest", "chain.db")
	if _, err := Open(&Config{Path: missing, Params: &chaincfg.RegressionNetParams, ReadOnly: true}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read-only Open of a missing file = %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("read-only Open created the network folder")
	}
}

func TestOpenConfigErrors(t *testing.T) {
	path := chainPath(t)
	broken := chaincfg.RegressionNetParams
	wrongHash := chainhash.Hash{1}
	broken.GenesisHash = &wrongHash
	tests := []struct {
		name string
		cfg  *Config
	}{
		{"nil config", nil},
		{"no path", &Config{Params: &chaincfg.RegressionNetParams}},
		{"no params", &Config{Path: path}},
		{"genesis does not match its hash", &Config{Path: path, Params: &broken}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Open(tc.cfg); err == nil {
				t.Fatal("Open succeeded")
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("a refused Open created chain.db")
			}
		})
	}
}

func TestLocator(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 5000)
	s := openStore(t, path, &chaincfg.RegressionNetParams)

	loc := s.Locator()
	heights := locatorHeights(5000)
	if len(loc) != len(heights) {
		t.Fatalf("locator has %d hashes, heights %d", len(loc), len(heights))
	}
	for i, h := range heights {
		if loc[i] != all[h].Hash {
			t.Fatalf("locator[%d] = %s, want hash at height %d", i, loc[i], h)
		}
	}
	checkLocatorShape(t, 5000, heights)
}

func TestLocatorHeights(t *testing.T) {
	for _, tip := range []int32{0, 1, 9, 10, 11, 12, 100, 2016, 5000, 899_999, 1<<31 - 1} {
		t.Run(fmt.Sprint(tip), func(t *testing.T) {
			checkLocatorShape(t, tip, locatorHeights(tip))
		})
	}
}

// checkLocatorShape checks a locator for a chain with the given tip: the tip
// and the next 9 heights one by one, then gaps that double, then genesis, and
// no more than about log2(tip) entries in all.
func checkLocatorShape(t *testing.T, tip int32, heights []int32) {
	t.Helper()
	if heights[0] != tip || heights[len(heights)-1] != 0 {
		t.Fatalf("tip %d: locator %v does not run from tip to genesis", tip, heights)
	}
	if len(heights) > 10+bitLen32(tip)+1 {
		t.Fatalf("tip %d: locator has %d entries", tip, len(heights))
	}
	step := int32(1)
	for i := 1; i < len(heights); i++ {
		gap := heights[i-1] - heights[i]
		if i >= 10 {
			step *= 2
		}
		last := i == len(heights)-1
		if gap != step && !(last && gap < step) {
			t.Fatalf("tip %d: gap %d before entry %d is %d, want %d (%v)", tip, i, i, gap, step, heights)
		}
	}
	if tip >= 10 {
		for i := 0; i < 10; i++ {
			if heights[i] != tip-int32(i) {
				t.Fatalf("tip %d: the first 10 entries are not consecutive: %v", tip, heights[:10])
			}
		}
	}
}

func TestBans(t *testing.T) {
	path := chainPath(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	clock := func() time.Time { return now }
	cfg := &Config{Path: path, Params: &chaincfg.RegressionNetParams, Now: clock}
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}

	if err := s.Ban("203.0.113.7", now.Add(24*time.Hour), "sent invalid headers"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ban("2001:db8:1:2::/64", now.Add(time.Hour), "lied about filters"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ban("127.0.0.1:18444", now.Add(time.Minute), "bad block"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ban("", now.Add(time.Minute), "x"); err == nil {
		t.Fatal("Ban with an empty key succeeded")
	}
	if err := s.Ban("10.0.0.1", time.Time{}, "x"); err == nil {
		t.Fatal("Ban without an expiry succeeded")
	}

	b, ok := s.IsBanned("203.0.113.7")
	if !ok || !b.Until.Equal(now.Add(24*time.Hour)) || b.Reason != "sent invalid headers" {
		t.Fatalf("IsBanned = %+v, %v", b, ok)
	}
	if _, ok := s.IsBanned("198.51.100.1"); ok {
		t.Fatal("an unknown peer is banned")
	}

	// Two minutes later the loopback ban has expired.
	now = now.Add(2 * time.Minute)
	if _, ok := s.IsBanned("127.0.0.1:18444"); ok {
		t.Fatal("an expired ban still counts")
	}
	bans, err := s.Bans()
	if err != nil {
		t.Fatal(err)
	}
	if len(bans) != 2 || bans[0].Key != "2001:db8:1:2::/64" || bans[1].Key != "203.0.113.7" {
		t.Fatalf("Bans = %+v", bans)
	}

	// Unban, and unban of something not banned.
	if err := s.Unban("2001:db8:1:2::/64"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.IsBanned("2001:db8:1:2::/64"); ok {
		t.Fatal("unbanned peer still banned")
	}
	wantErr(t, s.Unban("2001:db8:1:2::/64"), ErrNotFound)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// The remaining ban survives a restart, with its exact expiry, and the
	// expired one is gone from the file.
	s = openStore(t, path, &chaincfg.RegressionNetParams)
	s.(*boltStore).now = clock
	b, ok = s.IsBanned("203.0.113.7")
	if !ok || !b.Until.Equal(now.Add(24*time.Hour-2*time.Minute)) || b.Reason != "sent invalid headers" {
		t.Fatalf("after reopen IsBanned = %+v, %v", b, ok)
	}
	if _, err := s.(*boltStore).db.fetchBan("127.0.0.1:18444"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired ban still in the file: %v", err)
	}
	bans, err = s.Bans()
	if err != nil || len(bans) != 1 {
		t.Fatalf("Bans after reopen = %+v, %v", bans, err)
	}

	// Banning again replaces the ban.
	if err := s.Ban("203.0.113.7", now.Add(time.Hour), "again"); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.IsBanned("203.0.113.7"); b.Reason != "again" || !b.Until.Equal(now.Add(time.Hour)) {
		t.Fatalf("re-ban = %+v", b)
	}
}

// setTipRecord writes a tip record behind the store's back.
func setTipRecord(t testing.TB, path string, height int32, hash chainhash.Hash, work *big.Int) {
	t.Helper()
	rawUpdate(t, path, func(tx *bbolt.Tx) error { return dbPutTip(tx, height, &hash, work) })
}

// editIndex changes the hash index value of the epoch of height behind the
// store's back: fn gets its entries and returns the new ones.
func editIndex(t testing.TB, path string, height int32, fn func(es []uint64) []uint64) {
	t.Helper()
	rawUpdate(t, path, func(tx *bbolt.Tx) error {
		epoch := height / hashEpoch
		v := dbIndexValue(tx, epoch)
		var es []uint64
		for i := range len(v) / indexEntryLen {
			es = append(es, entryAt(v, i))
		}
		es = fn(es)
		slices.Sort(es)
		key := make([]byte, heightLen)
		putHeight(key, epoch)
		return tx.Bucket(hashesBucket).Put(key, putEntries(es))
	})
}

// withoutEntry returns es without the entry of hash at height.
func withoutEntry(es []uint64, height int32, hash *chainhash.Hash) []uint64 {
	e := indexEntry(hashPrefix(hash), height%hashEpoch)
	return slices.DeleteFunc(es, func(x uint64) bool { return x == e })
}

func TestRepairInconsistentTip(t *testing.T) {
	bits := chaincfg.RegressionNetParams.PowLimitBits
	setRecord := func(t *testing.T, path string, h int32, rec []byte) {
		hp, _ := flatPaths(path)
		editFlatFile(t, hp, func(b []byte) []byte {
			copy(b[int(h)*headerLen:], rec)
			return b
		})
	}
	deleteTip := func(t *testing.T, path string) {
		rawUpdate(t, path, func(tx *bbolt.Tx) error { return tx.Bucket(metaBucket).Delete(metaTipKey) })
	}
	tests := []struct {
		name    string
		edit    func(t *testing.T, path string, all []StoredHeader)
		wantTip int32
	}{
		{"append that did not commit", func(t *testing.T, path string, all []StoredHeader) {
			// The headers past the tip record are in the file but not in
			// the index: the commit never happened.
			setTipRecord(t, path, 50, all[50].Hash, all[50].Work)
			editIndex(t, path, 0, func(es []uint64) []uint64 {
				for h := 51; h <= 100; h++ {
					es = withoutEntry(es, int32(h), &all[h].Hash)
				}
				return es
			})
		}, 50},
		{"tip record beyond the headers", func(t *testing.T, path string, all []StoredHeader) {
			setTipRecord(t, path, 200, chainhash.Hash{1}, big.NewInt(1000))
		}, 100},
		{"tip record missing", func(t *testing.T, path string, _ []StoredHeader) {
			deleteTip(t, path)
		}, 100},
		{"tip record garbled", func(t *testing.T, path string, _ []StoredHeader) {
			rawUpdate(t, path, func(tx *bbolt.Tx) error { return tx.Bucket(metaBucket).Put(metaTipKey, []byte{1, 2}) })
		}, 100},
		{"broken header below the tip", func(t *testing.T, path string, _ []StoredHeader) {
			setRecord(t, path, 99, make([]byte, headerLen))
		}, 98},
		{"broken header deeper down, stale tip record", func(t *testing.T, path string, all []StoredHeader) {
			setRecord(t, path, 60, make([]byte, headerLen))
			setTipRecord(t, path, 120, chainhash.Hash{2}, all[100].Work)
		}, 59},
		{"tip that does not chain", func(t *testing.T, path string, all []StoredHeader) {
			other := extend(all[40], 60, bits, 7)
			setRecord(t, path, 100, rawRecord(&other[59].Header))
		}, 99},
		{"header deeper down that does not chain, no tip record", func(t *testing.T, path string, all []StoredHeader) {
			other := extend(all[40], 30, bits, 7)
			setRecord(t, path, 60, rawRecord(&other[19].Header))
			deleteTip(t, path)
		}, 59},
		{"headers file cut inside the tip", func(t *testing.T, path string, _ []StoredHeader) {
			hp, _ := flatPaths(path)
			editFlatFile(t, hp, func(b []byte) []byte { return b[:100*headerLen+40] })
		}, 99},
		{"wrong chain work record", func(t *testing.T, path string, _ []StoredHeader) {
			rawUpdate(t, path, func(tx *bbolt.Tx) error {
				return tx.Bucket(workBucket).Put([]byte{0, 0, 0, 0}, bytes.Repeat([]byte{7}, workLen))
			})
		}, 100},
		{"tip missing from the hash index", func(t *testing.T, path string, all []StoredHeader) {
			editIndex(t, path, 100, func(es []uint64) []uint64 { return withoutEntry(es, 100, &all[100].Hash) })
		}, 100},
		{"stale hash index entry, garbled tip record", func(t *testing.T, path string, all []StoredHeader) {
			stale := extend(all[90], 20, bits, 9)
			editIndex(t, path, 96, func(es []uint64) []uint64 {
				return append(es, indexEntry(hashPrefix(&stale[5].Hash), 96))
			})
			rawUpdate(t, path, func(tx *bbolt.Tx) error { return tx.Bucket(metaBucket).Put(metaTipKey, []byte{1}) })
		}, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := chainPath(t)
			all := regtestChain(t, path, 100)
			tc.edit(t, path, all)
			before := fileDigest(t, path)

			// Read-only: repaired in memory, file untouched.
			ro, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams, ReadOnly: true})
			if err != nil {
				t.Fatalf("read-only Open: %v", err)
			}
			if tip := ro.Tip(); tip.Height != tc.wantTip || tip.Hash != all[tc.wantTip].Hash {
				t.Fatalf("read-only tip = %d, want %d", tip.Height, tc.wantTip)
			}
			if got, err := ro.HeaderByHeight(tc.wantTip); err != nil || got.Hash != all[tc.wantTip].Hash {
				t.Fatalf("read-only HeaderByHeight(tip) = %v", err)
			}
			if tc.wantTip < 100 {
				if _, err := ro.HeaderByHash(&all[tc.wantTip+1].Hash); !errors.Is(err, ErrNotFound) {
					t.Fatalf("read-only HeaderByHash above the repaired tip: %v", err)
				}
				if _, err := ro.HeaderByHeight(tc.wantTip + 1); !errors.Is(err, ErrNotFound) {
					t.Fatalf("read-only HeaderByHeight above the repaired tip: %v", err)
				}
			}
			ro.Close()
			if fileDigest(t, path) != before {
				t.Fatal("read-only repair wrote to the file")
			}

			s, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			tip := s.Tip()
			if tip.Height != tc.wantTip || tip.Hash != all[tc.wantTip].Hash || tip.Work.Cmp(all[tc.wantTip].Work) != 0 {
				t.Fatalf("tip = %d %s, want %d %s", tip.Height, tip.Hash, tc.wantTip, all[tc.wantTip].Hash)
			}
			for h := int32(0); h <= 100; h++ {
				got, err := s.HeaderByHash(&all[h].Hash)
				if h <= tc.wantTip && (err != nil || got.Work.Cmp(all[h].Work) != 0) {
					t.Fatalf("HeaderByHash(%d) after repair: %v", h, err)
				}
				if h > tc.wantTip && !errors.Is(err, ErrNotFound) {
					t.Fatalf("HeaderByHash(%d) above the repaired tip: %v", h, err)
				}
			}
			// The repaired chain grows again from its tip.
			more := extend(all[tc.wantTip], 5, bits, 3)
			if err := s.Connect(tc.wantTip, more); err != nil {
				t.Fatalf("Connect after repair: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if n := rawIndexLen(t, path); n != int(tc.wantTip)+6 {
				t.Fatalf("hash index has %d entries, want %d", n, tc.wantTip+6)
			}
			if n := rawHeaderCount(t, path); n != int(tc.wantTip)+6 {
				t.Fatalf("headers file has %d records, want %d", n, tc.wantTip+6)
			}
			// A repaired file opens without another repair.
			fixed := fileDigest(t, path)
			openStore(t, path, &chaincfg.RegressionNetParams).Close()
			if fileDigest(t, path) != fixed {
				t.Fatal("the repaired file was repaired again")
			}
		})
	}
}

func TestLostHeadersFile(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 100)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	putFilterHeaders(t, s, all, 2000)
	if err := s.Ban("203.0.113.7", time.Now().Add(time.Hour), "test"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	hp, _ := flatPaths(path)
	if err := os.Remove(hp); err != nil {
		t.Fatal(err)
	}

	// A reader cannot go on without it.
	_, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams, ReadOnly: true})
	wantErr(t, err, ErrDamaged)
	if !strings.Contains(err.Error(), "headers file") {
		t.Errorf("error %q does not name the headers file", err)
	}

	// A writer starts again from genesis and keeps the bans.
	s = openStore(t, path, &chaincfg.RegressionNetParams)
	if tip := s.Tip(); tip.Height != 0 || tip.Hash != *chaincfg.RegressionNetParams.GenesisHash {
		t.Fatalf("tip = %d %s, want genesis", tip.Height, tip.Hash)
	}
	wantFilterTip(t, s, -1, chainhash.Hash{})
	if _, ok := s.IsBanned("203.0.113.7"); !ok {
		t.Fatal("the ban is gone")
	}
	connectAll(t, s, all[1:], 2000)
	if got, err := s.HeaderByHash(&all[77].Hash); err != nil || got.Height != 77 {
		t.Fatalf("HeaderByHash after the chain grew again: %v", err)
	}
}

func TestHeadersFileOfAnotherNetwork(t *testing.T) {
	path := chainPath(t)
	regtestChain(t, path, 10)
	hp, _ := flatPaths(path)
	editFlatFile(t, hp, func(b []byte) []byte {
		return rawRecord(&chaincfg.MainNetParams.GenesisBlock.Header)
	})
	err := openDamaged(t, path)
	if !strings.Contains(err.Error(), "genesis") {
		t.Errorf("error %q does not say what is wrong", err)
	}
}

func TestReadersDuringConnect(t *testing.T) {
	path := chainPath(t)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	headers := extend(tipHeader(s), 20_000, chaincfg.RegressionNetParams.PowLimitBits, 0)

	// Readers never see a tip whose header is not readable yet, nor a
	// locator that does not start at a stored tip.
	done := make(chan struct{})
	errs := make(chan error, 2)
	for r := 0; r < 2; r++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				tip := s.Tip()
				got, err := s.HeaderByHeight(tip.Height)
				if err != nil || got.Hash != tip.Hash {
					errs <- fmt.Errorf("tip %d not readable: %v", tip.Height, err)
					return
				}
				loc := s.Locator()
				if _, err := s.HeaderByHash(&loc[0]); err != nil {
					errs <- fmt.Errorf("locator start not found: %v", err)
					return
				}
			}
		}()
	}
	connectAll(t, s, headers, 1000)
	close(done)
	for r := 0; r < 2; r++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if s.Tip().Height != 20_000 {
		t.Fatalf("tip = %d", s.Tip().Height)
	}
}

func TestReorgInterruptedBeforeTheFileWrite(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 100)
	bits := chaincfg.RegressionNetParams.PowLimitBits
	hp, _ := flatPaths(path)
	oldFile, err := os.ReadFile(hp)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	branch := extend(all[90], 15, bits, 1)
	if err := s.Connect(90, branch); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// The state a kill between the commit and the copy into the headers
	// file leaves: chain.db has the new tip and the redo record, the file
	// the old branch.
	if err := os.WriteFile(hp, oldFile, 0o600); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 0, len(branch)*headerLen)
	for i := range branch {
		raw = append(raw, rawRecord(&branch[i].Header)...)
	}
	rawUpdate(t, path, func(tx *bbolt.Tx) error { return dbPutRedo(tx, 91, raw) })
	before := fileDigest(t, path)

	check := func(t *testing.T, s Store) {
		t.Helper()
		if tip := s.Tip(); tip.Height != 105 || tip.Hash != branch[14].Hash || tip.Work.Cmp(branch[14].Work) != 0 {
			t.Fatalf("tip = %d %s, want 105 %s", tip.Height, tip.Hash, branch[14].Hash)
		}
		got, err := s.Headers(85, 100)
		if err != nil || len(got) != 21 {
			t.Fatalf("Headers(85, 100) = %d, %v", len(got), err)
		}
		for i := range got {
			var want *StoredHeader
			if i <= 5 {
				want = &all[85+i]
			} else {
				want = &branch[i-6]
			}
			sameHeader(t, &got[i], want)
		}
		if _, err := s.HeaderByHash(&all[95].Hash); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a header of the old branch is still found: %v", err)
		}
		if got, err := s.HeaderByHash(&branch[3].Hash); err != nil || got.Height != 94 {
			t.Fatalf("HeaderByHash of the new branch: %v", err)
		}
	}
	ro, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	check(t, ro)
	ro.Close()
	if fileDigest(t, path) != before {
		t.Fatal("a read-only Open wrote the redo record out")
	}

	s = openStore(t, path, &chaincfg.RegressionNetParams)
	check(t, s)
	s.Close()
	if n := rawHeaderCount(t, path); n != 106 {
		t.Fatalf("headers file holds %d records, want 106", n)
	}
	rawUpdate(t, path, func(tx *bbolt.Tx) error {
		if tx.Bucket(metaBucket).Get(metaRedoKey) != nil {
			t.Error("the redo record is still there")
		}
		return nil
	})
	fixed := fileDigest(t, path)
	openStore(t, path, &chaincfg.RegressionNetParams).Close()
	if fileDigest(t, path) != fixed {
		t.Fatal("opening after the redo wrote again")
	}
}

func TestUncommittedAppendIsDropped(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 100)
	more := extend(all[100], 30, chaincfg.RegressionNetParams.PowLimitBits, 0)
	// An extension that died after writing the headers file but before
	// its commit: valid headers past the tip, half of one more.
	hp, _ := flatPaths(path)
	editFlatFile(t, hp, func(b []byte) []byte {
		for i := range more {
			b = append(b, rawRecord(&more[i].Header)...)
		}
		return append(b, 1, 2, 3)
	})
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	if tip := s.Tip(); tip.Height != 100 || tip.Hash != all[100].Hash {
		t.Fatalf("tip = %d, want 100", tip.Height)
	}
	if _, err := s.HeaderByHash(&more[0].Hash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an uncommitted header is found: %v", err)
	}
	if n := rawHeaderCount(t, path); n != 101 {
		t.Fatalf("headers file holds %d records, want 101", n)
	}
	if err := s.Connect(100, more); err != nil {
		t.Fatal(err)
	}
	if got, err := s.HeaderByHash(&more[29].Hash); err != nil || got.Height != 130 {
		t.Fatalf("HeaderByHash(130) = %v", err)
	}
}

func TestReadersDuringReorgs(t *testing.T) {
	path := chainPath(t)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	bits := chaincfg.RegressionNetParams.PowLimitBits
	connectAll(t, s, extend(tipHeader(s), 3000, bits, 0), 2000)

	// Readers never see a header that does not belong to the tip's chain.
	done := make(chan struct{})
	errs := make(chan error, 2)
	for r := 0; r < 2; r++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				tip := s.Tip()
				hs, err := s.Headers(tip.Height-20, 21)
				if err != nil {
					errs <- fmt.Errorf("Headers below tip %d: %v", tip.Height, err)
					return
				}
				for i := 1; i < len(hs); i++ {
					if hs[i].Header.PrevBlock != hs[i-1].Hash {
						errs <- fmt.Errorf("headers %d and %d do not link", hs[i-1].Height, hs[i].Height)
						return
					}
				}
				if _, err := s.HeaderByHash(&hs[10].Hash); err != nil && !errors.Is(err, ErrNotFound) {
					errs <- fmt.Errorf("HeaderByHash: %v", err)
					return
				}
			}
		}()
	}
	for i := uint32(1); i <= 60; i++ {
		tip := s.Tip()
		fork, err := s.HeaderByHeight(tip.Height - 10)
		if err != nil {
			t.Fatal(err)
		}
		// Alternately longer and shorter than the chain it replaces.
		n := 11 + int(i%2)*5
		if i%3 == 0 {
			n = 3
		}
		if err := s.Connect(fork.Height, extend(*fork, n, bits, i)); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for r := 0; r < 2; r++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestStorageBytesPerHeader checks the promise of the format: a chain of
// 100,000 headers with their filter headers takes at most 130 bytes a
// header on disk (80 for the header, 32 for the filter header, the rest for
// the index, the chain work and bbolt's overhead).
func TestStorageBytesPerHeader(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100,000 headers")
	}
	const n = 100_000
	path := chainPath(t)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	bits := chaincfg.RegressionNetParams.PowLimitBits
	prev := tipHeader(s)
	putFilterHeaders(t, s, []StoredHeader{prev}, 1)
	for prev.Height < n {
		batch := extend(prev, min(2000, n-int(prev.Height)), bits, 0)
		if err := s.Connect(prev.Height, batch); err != nil {
			t.Fatal(err)
		}
		putFilterHeaders(t, s, batch, 2000)
		prev = batch[len(batch)-1]
	}
	s.Close()
	hp, fp := flatPaths(path)
	total := fileSize(t, path) + fileSize(t, hp) + fileSize(t, fp)
	perHeader := float64(total) / (n + 1)
	t.Logf("%d headers: %d bytes, %.1f a header (chain.db %d)", n, total, perHeader, fileSize(t, path))
	if perHeader > 130 {
		t.Fatalf("%.1f bytes a header, want at most 130", perHeader)
	}
}

// TestReorgFlatFiles checks that a reorganization leaves the flat files
// holding exactly the new chain, to a shorter and to a longer tip, both when
// it completes and when the process dies at any step after its commit:
// reopening gives the new chain, with files cut at the tips, no redo record
// left, and a chain that extends as usual.
func TestReorgFlatFiles(t *testing.T) {
	errDied := errors.New("died here")
	regtestBits := chaincfg.RegressionNetParams.PowLimitBits
	tests := []struct {
		name   string
		bits   uint32 // of the new branch
		count  int    // headers in the new branch
		wantTo int32  // new tip height
	}{
		// Three headers of a much harder difficulty outweigh fifty.
		{"shorter", chaincfg.MainNetParams.PowLimitBits, 3, 253},
		{"longer", regtestBits, 80, 330},
	}
	const fork = 250
	for _, tc := range tests {
		for _, stop := range []int{-1, reorgCommitted, reorgWritten, reorgHeadersCut, reorgSynced} {
			t.Run(fmt.Sprintf("%s/stop=%d", tc.name, stop), func(t *testing.T) {
				path := chainPath(t)
				all := regtestChain(t, path, 300)
				s, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams})
				if err != nil {
					t.Fatal(err)
				}
				putFilterHeaders(t, s, all, 2000)
				branch := extend(all[fork], tc.count, tc.bits, 7)
				if stop >= 0 {
					reorgStep = func(step int) error {
						if step == stop {
							return errDied
						}
						return nil
					}
					t.Cleanup(func() { reorgStep = func(int) error { return nil } })
				}
				err = s.Connect(fork, branch)
				if stop >= 0 && !errors.Is(err, errDied) || stop < 0 && err != nil {
					t.Fatalf("Connect: %v", err)
				}
				reorgStep = func(int) error { return nil }
				// Close only releases the files: what is on disk is what a
				// kill at this step leaves.
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}

				s = openStore(t, path, &chaincfg.RegressionNetParams)
				tip := s.Tip()
				last := branch[len(branch)-1]
				if tip.Height != tc.wantTo || tip.Hash != last.Hash || tip.Work.Cmp(last.Work) != 0 {
					t.Fatalf("tip after reopening = %d %s, want %d %s", tip.Height, tip.Hash, tc.wantTo, last.Hash)
				}
				got, err := s.Headers(0, int(tip.Height)+1)
				if err != nil || len(got) != int(tip.Height)+1 {
					t.Fatalf("Headers: %d, %v", len(got), err)
				}
				for i := range got {
					want := &all[min(i, fork)]
					if i > fork {
						want = &branch[i-fork-1]
					}
					sameHeader(t, &got[i], want)
				}
				for _, h := range []int32{fork + 1, 300} {
					if _, err := s.HeaderByHash(&all[h].Hash); !errors.Is(err, ErrNotFound) {
						t.Fatalf("old header %d still found by hash: %v", h, err)
					}
				}
				if ft, fh := s.FilterTip(); ft != fork || fh != fakeFilterHeader(all[fork].Hash) {
					t.Fatalf("filter tip = %d, want the fork %d", ft, fork)
				}
				if _, err := s.FilterHeader(fork + 1); !errors.Is(err, ErrNotFound) {
					t.Fatalf("filter header above the fork: %v", err)
				}
				putFilterHeaders(t, s, got[fork+1:], 2000)
				more := extend(tipHeader(s), 5, regtestBits, 8)
				if err := s.Connect(tip.Height, more); err != nil {
					t.Fatalf("extend after the reorg: %v", err)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				want := int(tc.wantTo) + 1 + len(more)
				if n := rawHeaderCount(t, path); n != want {
					t.Fatalf("headers file holds %d records, want %d", n, want)
				}
				if n := rawFilterHeaderCount(t, path); n != int(tc.wantTo)+1 {
					t.Fatalf("filter headers file holds %d records, want %d", n, tc.wantTo+1)
				}
				if n := rawIndexLen(t, path); n != want {
					t.Fatalf("hash index has %d entries, want %d", n, want)
				}
				rawUpdate(t, path, func(tx *bbolt.Tx) error {
					if tx.Bucket(metaBucket).Get(metaRedoKey) != nil {
						t.Error("the redo record is still there")
					}
					return nil
				})
			})
		}
	}
}

// TestReorgCutsFlatFiles checks the files right after a completed
// reorganization to a shorter chain, without reopening.
func TestReorgCutsFlatFiles(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 300)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	putFilterHeaders(t, s, all, 2000)
	if err := s.Connect(250, extend(all[250], 3, chaincfg.MainNetParams.PowLimitBits, 7)); err != nil {
		t.Fatal(err)
	}
	if n := rawHeaderCount(t, path); n != 254 {
		t.Fatalf("headers file holds %d records, want 254", n)
	}
	if n := rawFilterHeaderCount(t, path); n != 251 {
		t.Fatalf("filter headers file holds %d records, want 251", n)
	}
}
