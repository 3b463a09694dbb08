package headerstore

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"go.etcd.io/bbolt"
)

// boltLayout returns the page size and the bytes in use (high-water mark
// times page size) of the bbolt file at path, read from its meta pages.
func boltLayout(t *testing.T, path string) (pageSize, used int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m0, ok0 := parseBoltMeta(b)
	if !ok0 {
		t.Fatal("meta page 0 is invalid")
	}
	m1, ok1 := parseBoltMeta(b[m0.pageSize:])
	m := m0
	if ok1 && m1.txid > m0.txid {
		m = m1
	}
	return int64(m.pageSize), int64(m.pgid) * int64(m.pageSize)
}

// copyFlatFiles copies the flat files of the chain at src next to the
// chain.db at dst.
func copyFlatFiles(t *testing.T, src, dst string) {
	t.Helper()
	sh, sf := flatPaths(src)
	dh, df := flatPaths(dst)
	for _, p := range [][2]string{{sh, dh}, {sf, df}} {
		b, err := os.ReadFile(p[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p[1], b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// openDamaged opens path in both modes and checks that each fails with
// ErrDamaged, without a panic and without changing the file.
func openDamaged(t *testing.T, path string) error {
	t.Helper()
	before := fileDigest(t, path)
	var last error
	for _, ro := range []bool{false, true} {
		s, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams, ReadOnly: ro})
		if err == nil {
			s.Close()
			t.Fatalf("Open(ReadOnly=%v) of a damaged file succeeded", ro)
		}
		wantErr(t, err, ErrDamaged)
		if fileDigest(t, path) != before {
			t.Fatalf("Open(ReadOnly=%v) changed the damaged file", ro)
		}
		t.Logf("ReadOnly=%v: %v", ro, err)
		last = err
	}
	return last
}

func TestOpenTruncatedFile(t *testing.T) {
	src := chainPath(t)
	regtestChain(t, src, 3000)
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	ps, used := boltLayout(t, src)
	if used > int64(len(orig)) || used < 4*ps {
		t.Fatalf("unexpected layout: page size %d, used %d, file %d", ps, used, len(orig))
	}

	lengths := []int64{1, 15, 100, ps - 1, ps, ps + 100, 2*ps - 1, 2 * ps, 2*ps + 1, 4 * ps, used / 2, used - ps, used - 1}
	for _, n := range lengths {
		t.Run(strconv.FormatInt(n, 10), func(t *testing.T) {
			path := chainPath(t)
			if err := os.MkdirAll(strings.TrimSuffix(path, "/chain.db"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, orig[:n], 0o600); err != nil {
				t.Fatal(err)
			}
			err := openDamaged(t, path)
			if n >= 2*ps && !strings.Contains(err.Error(), "truncated") {
				t.Errorf("error %q does not say the file is truncated", err)
			}
			if !strings.Contains(err.Error(), "delete it") && !strings.Contains(err.Error(), "move the file away") {
				t.Errorf("error %q does not say what to do", err)
			}
		})
	}

	// Cutting off only the unused tail that bbolt preallocates loses
	// nothing, and the chain opens.
	t.Run("unused tail", func(t *testing.T) {
		path := chainPath(t)
		if err := os.MkdirAll(strings.TrimSuffix(path, "/chain.db"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, orig[:used], 0o600); err != nil {
			t.Fatal(err)
		}
		copyFlatFiles(t, src, path)
		s := openStore(t, path, &chaincfg.RegressionNetParams)
		if s.Tip().Height != 3000 {
			t.Fatalf("tip = %d", s.Tip().Height)
		}
	})

	// A file cut to nothing holds nothing to protect: it starts again from
	// genesis.
	t.Run("empty", func(t *testing.T) {
		path := chainPath(t)
		if err := os.MkdirAll(strings.TrimSuffix(path, "/chain.db"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams, ReadOnly: true}); !errors.Is(err, ErrDamaged) {
			t.Fatalf("read-only Open of an empty file = %v, want ErrDamaged", err)
		}
		s := openStore(t, path, &chaincfg.RegressionNetParams)
		if tip := s.Tip(); tip.Height != 0 || tip.Hash != *chaincfg.RegressionNetParams.GenesisHash {
			t.Fatalf("tip = %d %s", tip.Height, tip.Hash)
		}
	})
}

func TestOpenGarbageFile(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}

	// A real bbolt file of some other program.
	foreign := chainPath(t)
	if err := os.MkdirAll(strings.TrimSuffix(foreign, "/chain.db"), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := bbolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("wallets"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	foreignBytes, err := os.ReadFile(foreign)
	if err != nil {
		t.Fatal(err)
	}

	// A satchel file from a future version.
	newer := chainPath(t)
	regtestChain(t, newer, 5)
	rawUpdate(t, newer, func(tx *bbolt.Tx) error {
		v := make([]byte, 4)
		binary.BigEndian.PutUint32(v, dbVersion+1)
		return tx.Bucket(metaBucket).Put(metaVersionKey, v)
	})
	newerBytes, err := os.ReadFile(newer)
	if err != nil {
		t.Fatal(err)
	}

	// A satchel file whose meta pages are intact but whose data pages are
	// noise.
	noisy := chainPath(t)
	regtestChain(t, noisy, 3000)
	noisyBytes, err := os.ReadFile(noisy)
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := boltLayout(t, noisy)
	for i := 2 * ps; i < int64(len(noisyBytes)); i++ {
		noisyBytes[i] = byte(rng.Uint32())
	}

	// The same, but with the freelist intact, so that bbolt opens the file
	// and trips over the noise while reading the tree.
	treeNoise := chainPath(t)
	regtestChain(t, treeNoise, 3000)
	treeNoiseBytes, err := os.ReadFile(treeNoise)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := parseBoltMeta(treeNoiseBytes)
	if m1, ok := parseBoltMeta(treeNoiseBytes[ps:]); ok && m1.txid > m.txid {
		m = m1
	}
	flOverflow := int64(binary.LittleEndian.Uint32(treeNoiseBytes[int64(m.freelist)*ps+12:]))
	for pg := int64(2); pg < int64(m.pgid); pg++ {
		if pg >= int64(m.freelist) && pg <= int64(m.freelist)+flOverflow {
			continue
		}
		for i := pg * ps; i < (pg+1)*ps; i++ {
			treeNoiseBytes[i] = byte(rng.Uint32())
		}
	}

	// A satchel file whose meta pages are both broken.
	noMeta := chainPath(t)
	regtestChain(t, noMeta, 10)
	noMetaBytes, err := os.ReadFile(noMeta)
	if err != nil {
		t.Fatal(err)
	}
	noMetaBytes[boltPageHeaderLen+20] ^= 0xff
	noMetaBytes[ps+boltPageHeaderLen+20] ^= 0xff

	tests := []struct {
		name    string
		content []byte
		mention string
	}{
		{"text", []byte("this is not a database\n"), "not a bbolt database"},
		{"zeros", make([]byte, 64<<10), "not a bbolt database"},
		{"random", random, "not a bbolt database"},
		{"other bbolt file", foreignBytes, "is not a satchel chain database; check --datadir"},
		{"newer format", newerBytes, "newer satchel"},
		{"noise in the data pages", noisyBytes, ""},
		{"noise in the tree pages", treeNoiseBytes, "cannot be read"},
		{"both meta pages broken", noMetaBytes, "not a bbolt database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := chainPath(t)
			if err := os.MkdirAll(strings.TrimSuffix(path, "/chain.db"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			err := openDamaged(t, path)
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
}

func TestHoleBelowTipIsDamage(t *testing.T) {
	path := chainPath(t)
	regtestChain(t, path, 1000)
	hp, _ := flatPaths(path)
	editFlatFile(t, hp, func(b []byte) []byte {
		clear(b[400*headerLen : 401*headerLen])
		return b
	})
	// Open checks the headers near the tip only, so it opens; reading the
	// hole reports it.
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	if tip := s.Tip(); tip.Height != 1000 {
		t.Fatalf("tip = %d", tip.Height)
	}
	if _, err := s.HeaderByHeight(400); !errors.Is(err, ErrDamaged) {
		t.Fatalf("HeaderByHeight(400) = %v, want ErrDamaged", err)
	}
	if _, err := s.Headers(390, 20); !errors.Is(err, ErrDamaged) {
		t.Fatalf("Headers(390, 20) = %v, want ErrDamaged", err)
	}
	if got, err := s.HeaderByHeight(401); err != nil || got.Height != 401 {
		t.Fatalf("HeaderByHeight(401) = %v", err)
	}
}

// crashChildEnv names the chain.db the crash test's child process writes to.
const crashChildEnv = "HEADERSTORE_CRASH_CHILD"

// crashConfig is the configuration of the crash test's child and parent:
// small caches, so that the child evicts in most transactions.
func crashConfig(path string) *Config {
	return &Config{Path: path, Params: &chaincfg.RegressionNetParams,
		FilterCacheBytes: 64 << 10, BlockCacheBytes: 200 << 10}
}

// TestCrashChild is the child process of TestKilledWriterLeavesConsistentFile:
// it extends the chain in batches for as long as it lives, printing each new
// tip height. It does nothing in a normal test run.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("only runs as the child of TestKilledWriterLeavesConsistentFile")
	}
	s, err := Open(crashConfig(path))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fail := func(err error) {
		fmt.Println("error", err)
		os.Exit(1)
	}
	bits := chaincfg.RegressionNetParams.PowLimitBits
	for round := uint32(0); ; round++ {
		tip := tipHeader(s)
		fork := tip.Height
		if round%3 == 2 && fork > 50 {
			// Every third batch reorganizes the last 50 headers.
			fork -= 50
			parent, err := s.HeaderByHeight(fork)
			if err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
			tip = *parent
		}
		batch := extend(tip, 2000, bits, round)
		if err := s.Connect(fork, batch); err != nil {
			fail(err)
		}
		// Filter headers follow the headers, which a reorganization has
		// cut back to the fork; the newest filters and a block are cached.
		ftip, _ := s.FilterTip()
		missing, err := s.Headers(ftip+1, int(s.Tip().Height-ftip))
		if err != nil {
			fail(err)
		}
		for len(missing) > 0 {
			n := min(len(missing), 2000)
			hashes, fhs := filterBatch(missing[:n])
			if err := s.PutFilterHeaders(missing[0].Height, hashes, fhs); err != nil {
				fail(err)
			}
			missing = missing[n:]
		}
		hashes, filters := filtersOf(batch[len(batch)-100:], 300)
		if err := s.PutFilters(batch[len(batch)-100].Height, hashes, filters); err != nil {
			fail(err)
		}
		var raw bytes.Buffer
		last := batch[len(batch)-1]
		if err := last.Header.Serialize(&raw); err != nil {
			fail(err)
		}
		raw.Write(make([]byte, 50_000))
		if err := s.PutBlock(last.Hash, raw.Bytes()); err != nil {
			fail(err)
		}
		fmt.Println(s.Tip().Height)
	}
}

func TestKilledWriterLeavesConsistentFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := chainPath(t)
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	for kill := 1; kill <= 3; kill++ {
		cmd := exec.Command(exe, "-test.run=^TestCrashChild$", "-test.v")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let the child commit a few batches, then SIGKILL it while it is
		// in the middle of the next one.
		lines := bufio.NewScanner(out)
		commits := 0
		for commits < 5*kill && lines.Scan() {
			if strings.HasPrefix(lines.Text(), "error") {
				t.Fatalf("child: %s", lines.Text())
			}
			if _, err := strconv.Atoi(lines.Text()); err == nil {
				commits++
			}
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		s, err := Open(crashConfig(path))
		if err != nil {
			t.Fatalf("Open after kill %d: %v", kill, err)
		}
		tip := s.Tip()
		if tip.Height < 2000 {
			t.Fatalf("tip after kill %d is %d", kill, tip.Height)
		}
		// Every header is there, links to the one before it and is found
		// by its hash; nothing above the tip is left in the index.
		all, err := s.Headers(0, int(tip.Height)+1)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(all); i++ {
			if all[i].Header.PrevBlock != all[i-1].Hash {
				t.Fatalf("header %d does not link to %d after kill", i, i-1)
			}
		}
		for _, i := range []int{1, len(all) / 2, len(all) - 1} {
			if got, err := s.HeaderByHash(&all[i].Hash); err != nil || got.Height != int32(i) {
				t.Fatalf("HeaderByHash(%d) after kill: %v", i, err)
			}
		}
		if all[len(all)-1].Hash != tip.Hash {
			t.Fatal("tip is not the last stored header")
		}
		// Every filter header belongs to the block now at its height, and
		// the cached filters are those of best-chain blocks.
		ftip, _ := s.FilterTip()
		if ftip < 2000 || ftip > tip.Height {
			t.Fatalf("filter tip after kill %d is %d, tip %d", kill, ftip, tip.Height)
		}
		fhs, err := s.FilterHeaders(0, int(ftip)+1)
		if err != nil || len(fhs) != int(ftip)+1 {
			t.Fatalf("FilterHeaders after kill: %d, %v", len(fhs), err)
		}
		for i := range fhs {
			if fhs[i] != fakeFilterHeader(all[i].Hash) {
				t.Fatalf("filter header %d after kill %d is not that of block %d", i, kill, i)
			}
		}
		s.Close()
		if n := rawIndexLen(t, path); n != len(all) {
			t.Fatalf("hash index has %d entries for %d headers", n, len(all))
		}
		if n := rawHeaderCount(t, path); n != len(all) {
			t.Fatalf("headers file holds %d records for %d headers", n, len(all))
		}
		if n := rawFilterHeaderCount(t, path); n != int(ftip)+1 {
			t.Fatalf("filter headers file holds %d records for filter tip %d", n, ftip)
		}
		cfg := crashConfig(path)
		for _, c := range []struct {
			cb     cacheBuckets
			budget int64
		}{{filterCache, cfg.FilterCacheBytes}, {blockCache, cfg.BlockCacheBytes}} {
			cs := rawCache(t, path, c.cb) // checks the total against the entries
			if cs.total > c.budget || len(cs.keys) == 0 {
				t.Fatalf("%s after kill %d: %d entries, %d bytes, budget %d",
					c.cb.records, kill, len(cs.keys), cs.total, c.budget)
			}
		}
		for _, h := range heightsOf(t, rawCache(t, path, filterCache).keys) {
			if h > tip.Height {
				t.Fatalf("filter cached at %d above the tip %d", h, tip.Height)
			}
		}
	}
}

func TestHeaderEncoding(t *testing.T) {
	genesis := chaincfg.MainNetParams.GenesisBlock.Header
	next := extend(StoredHeader{Header: genesis, Hash: genesis.BlockHash(), Work: big.NewInt(1)}, 1, 0x1d00ffff, 1)[0]
	extreme := wire.BlockHeader{Version: -1, Timestamp: time.Unix(math.MaxUint32, 0), Bits: math.MaxUint32, Nonce: math.MaxUint32}
	for i := range extreme.PrevBlock {
		extreme.PrevBlock[i], extreme.MerkleRoot[i] = 0xff, byte(i)
	}
	tests := []struct {
		name string
		hdr  wire.BlockHeader
	}{
		{"mainnet genesis", genesis},
		{"ordinary header", next.Header},
		{"largest fields", extreme},
		{"zero", wire.BlockHeader{Timestamp: time.Unix(0, 0)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want bytes.Buffer
			if err := tc.hdr.Serialize(&want); err != nil {
				t.Fatal(err)
			}
			rec := rawRecord(&tc.hdr)
			if !bytes.Equal(rec, want.Bytes()) {
				t.Fatalf("PutHeader = %x, want %x", rec, want.Bytes())
			}
			var got wire.BlockHeader
			getHeader(rec, &got)
			if got.BlockHash() != tc.hdr.BlockHash() || !got.Timestamp.Equal(tc.hdr.Timestamp) {
				t.Fatalf("getHeader changed the header: %+v", got)
			}
			if recBits(rec) != tc.hdr.Bits || !linksTo(rec, &tc.hdr.PrevBlock) {
				t.Fatal("recBits or linksTo read the wrong field")
			}
		})
	}
}

func TestRecordEncoding(t *testing.T) {
	maxWork := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	hash := chainhash.DoubleHashH([]byte("tip"))
	for _, work := range []*big.Int{big.NewInt(0), big.NewInt(2), maxWork} {
		v, err := encodeTip(123456, &hash, work)
		if err != nil {
			t.Fatal(err)
		}
		h, gotHash, gotWork, err := decodeTip(v)
		if err != nil || h != 123456 || gotHash != hash || gotWork.Cmp(work) != 0 {
			t.Fatalf("tip record round trip = %d %s %s, %v", h, gotHash, gotWork, err)
		}
	}
	if _, err := encodeTip(1, &hash, new(big.Int).Lsh(big.NewInt(1), 256)); err == nil {
		t.Fatal("encoded work wider than 256 bits")
	}
	if _, _, _, err := decodeTip(make([]byte, tipRecordLen-1)); err == nil {
		t.Fatal("decoded a short tip record")
	}
	for _, ft := range []filterTip{noFilterTip, {0, hash}, {math.MaxInt32 - 1, hash}} {
		got, err := decodeFilterTip(encodeFilterTip(ft))
		if err != nil || got != ft {
			t.Fatalf("filter tip round trip of %v = %v, %v", ft, got, err)
		}
	}

	// Index entries sort by prefix, then height, and survive their 5
	// bytes.
	es := []uint64{indexEntry(0, 0), indexEntry(1<<28-1, hashEpoch-1), indexEntry(0x0abcdef, 7), indexEntry(0x0abcdef, 3)}
	slices.Sort(es)
	v := putEntries(es)
	if len(v) != len(es)*indexEntryLen {
		t.Fatalf("%d entries take %d bytes", len(es), len(v))
	}
	for i, e := range es {
		if entryAt(v, i) != e {
			t.Fatalf("entry %d = %x, want %x", i, entryAt(v, i), e)
		}
	}
	if lo, hi := findPrefix(v, 0x0abcdef); hi-lo != 2 || entryOffset(v, lo) != 3 || entryOffset(v, lo+1) != 7 {
		t.Fatalf("findPrefix = %d..%d", lo, hi)
	}
	if !indexHas(v, 1<<28-1, hashEpoch-1) || indexHas(v, 1<<28-1, 0) || indexHas(v, 5, 0) {
		t.Fatal("indexHas is wrong")
	}
}

func TestBanRoundTrip(t *testing.T) {
	tests := []Ban{
		{Key: "203.0.113.7", Until: mustTime(t, "2026-03-01T12:00:00.123456789Z"), Reason: "sent invalid headers"},
		{Key: "[2001:db8::1]:8333", Until: mustTime(t, "2300-01-01T00:00:00Z"), Reason: ""},
		{Key: "x", Until: mustTime(t, "1969-12-31T23:59:59.5Z"), Reason: "ünïcode ✓"},
	}
	for _, want := range tests {
		t.Run(want.Key, func(t *testing.T) {
			got, err := decodeBan([]byte(want.Key), encodeBan(want.Until, want.Reason))
			if err != nil {
				t.Fatal(err)
			}
			if got.Key != want.Key || !got.Until.Equal(want.Until) || got.Reason != want.Reason {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
	if _, err := decodeBan([]byte("k"), []byte{1, 2}); err == nil {
		t.Fatal("decoded a short ban record")
	}
}

// FuzzOpen feeds arbitrary files to Open: it may refuse them, but must not
// panic or crash, and must not write to a file it refuses.
func FuzzOpen(f *testing.F) {
	path := chainPath(f)
	regtestChain(f, path, 20)
	valid, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid[:8192])
	f.Add(valid[:4096+100])
	f.Add([]byte("hello"))
	f.Add(valid)
	f.Fuzz(func(t *testing.T, content []byte) {
		if len(content) == 0 {
			return
		}
		p := chainPath(t)
		if err := os.MkdirAll(strings.TrimSuffix(p, "/chain.db"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(&Config{Path: p, Params: &chaincfg.RegressionNetParams, ReadOnly: true})
		if err != nil {
			return
		}
		_, _ = s.Headers(0, 100)
		_ = s.Locator()
		ftip, _ := s.FilterTip()
		_, _ = s.FilterHeaders(0, 100)
		_, _ = s.FilterHeader(ftip)
		_, _, _ = s.Filter(0)
		_, _ = s.Block(*chaincfg.RegressionNetParams.GenesisHash)
		s.Close()
	})
}

// mustTime parses an RFC 3339 time.
func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
