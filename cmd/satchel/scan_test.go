package main

import (
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/tyler-smith/go-bip39"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// payScripts builds a signed transaction spending c (a coin of the node's
// mining key) to one output per script, in equal shares less 10,000 sat.
func payScripts(t *testing.T, n *regtest.Node, c regtest.Coin, scripts ...[]byte) *wire.MsgTx {
	t.Helper()
	key := n.MiningKey()
	own := regtest.KeyScript(key.PubKey())
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&c.OutPoint, nil, nil))
	each := (c.Value - 10_000) / int64(len(scripts))
	for _, s := range scripts {
		tx.AddTxOut(wire.NewTxOut(each, s))
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(own, c.Value)
	wit, err := txscript.WitnessSignature(tx, txscript.NewTxSigHashes(tx, fetcher), 0, c.Value, own,
		txscript.SigHashAll, key, true)
	if err != nil {
		t.Fatal(err)
	}
	tx.TxIn[0].Witness = wit
	return tx
}

// TestRestoreFindsGrownWindowPayments restores a wallet on a chain where a
// payment makes the look-ahead window grow over an address that was paid
// in the same transaction or in an earlier block (gap limit 20):
//   - index 10 and 25 in one transaction, then index 40 in a later block
//     (40 is only inside the window once 25 counts as used);
//   - index 28 in block N, then index 10 in block N+1.
//
// One sync must find every payment, and the next address handed out must
// be past the highest one paid.
func TestRestoreFindsGrownWindowPayments(t *testing.T) {
	if testing.Short() {
		t.Skip("starts btcd")
	}
	cases := []struct {
		name string
		// blocks lists the payments of each block: for each transaction
		// the receive indices it pays.
		blocks   [][][]int
		wantNext uint32
	}{
		{"index 10 and 25 in one transaction, then 40", [][][]int{{{10, 25}}, {{40}}}, 41},
		{"index 28 in block N, index 10 in block N+1", [][][]int{{{28}}, {{10}}}, 29},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			btcd := regtest.Start(t)
			btcd.Generate(110)
			c := newCLI(t)
			restoreAbandon(t, c)
			c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
			var addrs []addrEntry
			c.jsonOut(&addrs, "address", "list", "--count", "45")

			var want int64
			var txids []string
			coin := int32(1)
			for _, block := range tc.blocks {
				for _, indices := range block {
					var scripts [][]byte
					for _, i := range indices {
						scripts = append(scripts, scriptOf(t, addrs[i].Address))
					}
					tx := payScripts(t, btcd, btcd.CoinbaseCoin(coin), scripts...)
					coin++
					btcd.SendRaw(tx)
					txids = append(txids, tx.TxHash().String())
					for _, o := range tx.TxOut {
						want += o.Value
					}
				}
				btcd.Generate(1)
			}

			c.ok("sync")
			var bal balanceOut
			c.jsonOut(&bal, "balance")
			if bal.Confirmed != want {
				t.Errorf("balance after a restore %+v; want %d confirmed", bal, want)
			}
			hist := historyMap(t, c)
			for _, id := range txids {
				if _, ok := hist[id]; !ok {
					t.Errorf("payment %s is not in the history", id)
				}
			}
			var next addrEntry
			c.jsonOut(&next, "address", "new")
			if next.Index != tc.wantNext {
				t.Errorf("address new gave index %d; want %d", next.Index, tc.wantNext)
			}
		})
	}
}

// TestDeepReorg lets a branch that forks 300 blocks below the tip win,
// deeper than the 288 blocks an older satchel looked back. The wallet is
// paid on the losing branch only near its tip and on the winning branch
// just above the fork and near its tip; after the reorg it must hold exactly
// what a wallet restored from the same seed and synced from scratch holds.
func TestDeepReorg(t *testing.T) {
	if testing.Short() {
		t.Skip("starts btcd nodes")
	}
	const (
		fork  = 110 // the last block both branches share
		depth = 300
	)
	a := regtest.Start(t)
	b := regtest.Start(t)
	a.ConnectTo(b)
	c := newCLI(t)
	restoreAbandon(t, c)
	c.env["SATCHEL_CONNECT"] = a.P2PAddr()
	var addrs []addrEntry
	c.jsonOut(&addrs, "address", "list", "--count", "10")
	addr := func(i int) []byte { return scriptOf(t, addrs[i].Address) }

	a.Generate(105)
	shared := a.Payment(a.CoinbaseCoin(1), 1, addr(0))
	a.SendRaw(shared)
	a.Generate(fork - 105)
	b.WaitForHeight(fork, 30*time.Second)
	c.ok("sync")
	a.DisconnectFrom(b)

	losing := []reorgPayment{
		{"to index 1, near the losing tip", a.Payment(a.CoinbaseCoin(2), 1, addr(1)), fork + depth},
	}
	mineBranch(t, a, fork+1, fork+depth, losing)
	c.ok("sync")
	if h, ok := historyMap(t, c)[losing[0].txid()]; !ok || h.Height != fork+depth {
		t.Fatalf("before the reorg the losing payment is in the history %v at height %d", ok, h.Height)
	}

	// The winning branch double-spends the losing payment's coin.
	winning := []reorgPayment{
		{"double spend", a.Payment(a.CoinbaseCoin(2), 2, nil), fork + 1},
		{"to index 2, just above the fork", a.Payment(a.CoinbaseCoin(3), 1, addr(2)), fork + 1},
		{"to index 3, in the middle", a.Payment(a.CoinbaseCoin(4), 1, addr(3)), fork + 150},
		{"to index 4, at the tip", a.Payment(a.CoinbaseCoin(5), 1, addr(4)), fork + depth + 1},
	}
	mineBranch(t, b, fork+1, fork+depth+1, winning)
	a.ConnectTo(b)
	a.WaitForHeight(fork+depth+1, 60*time.Second)
	if best, _ := a.BestBlock(); best != b.BlockHash(fork+depth+1) {
		t.Fatal("a did not reorganize to b's chain")
	}
	c.ok("sync")

	clean := newCLI(t)
	restoreAbandon(t, clean)
	clean.env["SATCHEL_CONNECT"] = a.P2PAddr()
	clean.ok("sync")
	if got, want := historyList(t, c), historyList(t, clean); !reflect.DeepEqual(got, want) {
		t.Errorf("history after a %d-block reorg differs from a clean sync:\nreorged: %s\nclean:   %s", depth, dump(got), dump(want))
	}
	if got, want := sortedByKey(rawJSON(t, c, "utxos")), sortedByKey(rawJSON(t, clean, "utxos")); !reflect.DeepEqual(got, want) {
		t.Errorf("coins after the reorg differ from a clean sync:\nreorged: %s\nclean:   %s", dump(got), dump(want))
	}
	var gotBal, wantBal balanceOut
	c.jsonOut(&gotBal, "balance")
	clean.jsonOut(&wantBal, "balance")
	if gotBal != wantBal {
		t.Errorf("balance after the reorg %+v; a clean sync gives %+v", gotBal, wantBal)
	}
	hist := historyMap(t, c)
	for _, p := range winning[1:] {
		if h, ok := hist[p.txid()]; !ok || h.Height != p.height {
			t.Errorf("winning payment %s: in the history %v at height %d; want height %d", p.name, ok, h.Height, p.height)
		}
	}
	if h, ok := hist[losing[0].txid()]; ok && h.Height != 0 {
		t.Errorf("the losing payment is still confirmed at height %d", h.Height)
	}
}

// liarPeer is a peer on 127.0.0.1 that completes the handshake, says it
// has no headers beyond ours, answers pings, and relays one transaction:
// it announces it when asked for its mempool and serves it on getdata.
type liarPeer struct {
	t  *testing.T
	ln net.Listener
	tx *wire.MsgTx

	mu     sync.Mutex
	served int // how many times the node fetched tx
}

func newLiarPeer(t *testing.T, tx *wire.MsgTx) *liarPeer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lp := &liarPeer{t: t, ln: ln, tx: tx}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go lp.serve(conn)
		}
	}()
	return lp
}

func (lp *liarPeer) addr() string { return lp.ln.Addr().String() }

func (lp *liarPeer) timesServed() int {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	return lp.served
}

func (lp *liarPeer) serve(conn net.Conn) {
	defer conn.Close()
	params := &chaincfg.RegressionNetParams
	read := func() (wire.Message, error) {
		conn.SetReadDeadline(time.Now().Add(2 * time.Minute))
		_, msg, _, err := wire.ReadMessageWithEncodingN(conn, wire.ProtocolVersion, params.Net, wire.WitnessEncoding)
		return msg, err
	}
	write := func(msg wire.Message) {
		wire.WriteMessageWithEncodingN(conn, msg, wire.ProtocolVersion, params.Net, wire.WitnessEncoding)
	}
	if _, err := read(); err != nil { // their version
		return
	}
	me := wire.NewNetAddressIPPort(net.IPv4(127, 0, 0, 1), 0, 0)
	ver := wire.NewMsgVersion(me, me, 7, 0)
	ver.Services = wire.SFNodeNetworkLimited | wire.SFNodeWitness | wire.SFNodeBloom
	ver.UserAgent = "/liar:0.1/"
	write(ver)
	write(wire.NewMsgVerAck())
	id := lp.tx.TxHash()
	for {
		msg, err := read()
		if err != nil {
			return
		}
		switch m := msg.(type) {
		case *wire.MsgPing:
			write(wire.NewMsgPong(m.Nonce))
		case *wire.MsgGetHeaders:
			write(wire.NewMsgHeaders())
		case *wire.MsgVerAck, *wire.MsgMemPool:
			// A hostile peer announces its forgery unasked, as soon as
			// the connection is up, and again if asked for its mempool.
			inv := wire.NewMsgInv()
			inv.AddInvVect(wire.NewInvVect(wire.InvTypeTx, &id))
			write(inv)
		case *wire.MsgGetData:
			for _, iv := range m.InvList {
				if iv.Hash == id {
					lp.mu.Lock()
					lp.served++
					lp.mu.Unlock()
					write(lp.tx)
				}
			}
		}
	}
}

// TestForgedRelayedSpend: a peer relays a transaction that spends the
// wallet's coin with a signature by another key. The wallet's balance and
// history must not change, and the peer must end up banned.
func TestForgedRelayedSpend(t *testing.T) {
	if testing.Short() {
		t.Skip("starts btcd")
	}
	btcd := regtest.Start(t)
	btcd.Generate(110)
	c := newCLI(t)
	restoreAbandon(t, c)
	pay := btcd.Payment(btcd.CoinbaseCoin(1), 1, scriptOf(t, walletAddr(t, c, 3)))
	btcd.SendRaw(pay)
	btcd.Generate(1)
	c.ok("sync", "--connect", btcd.P2PAddr())
	var before balanceOut
	c.jsonOut(&before, "balance")
	histBefore := historyList(t, c)
	if before.Confirmed != pay.TxOut[0].Value {
		t.Fatalf("funded wallet: %+v", before)
	}

	// The forgery: spends the coin to the miner with a witness that has the
	// coin's public key (m/84'/1'/0'/0/3) and a signature by a random key.
	seed := bip39.NewSeed(abandonMnemonic, "")
	master, err := hdkeychain.NewMaster(seed, &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := derivePath(t, master, "/84h/1h/0h/0/3").ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	coin := wire.OutPoint{Hash: pay.TxHash(), Index: 0}
	forged := wire.NewMsgTx(2)
	forged.AddTxIn(wire.NewTxIn(&coin, nil, nil))
	forged.AddTxOut(wire.NewTxOut(pay.TxOut[0].Value-5_000, regtest.KeyScript(btcd.MiningKey().PubKey())))
	liarKey, _ := btcec.NewPrivateKey()
	fetcher := txscript.NewCannedPrevOutputFetcher(pay.TxOut[0].PkScript, pay.TxOut[0].Value)
	sig, err := txscript.RawTxInWitnessSignature(forged, txscript.NewTxSigHashes(forged, fetcher), 0,
		pay.TxOut[0].Value, pay.TxOut[0].PkScript, txscript.SigHashAll, liarKey)
	if err != nil {
		t.Fatal(err)
	}
	forged.TxIn[0].Witness = wire.TxWitness{sig, pub.SerializeCompressed()}
	liar := newLiarPeer(t, forged)

	// Sync with btcd and the liar until the wallet has seen the forgery:
	// the wallet listens to the peers' mempools only for a short while
	// after each scan, so a busy machine may need another sync.
	type peerOut struct {
		Addr      string `json:"addr"`
		Banned    bool   `json:"banned"`
		BanReason string `json:"ban_reason"`
	}
	liarBan := func() *peerOut {
		var peers []peerOut
		c.jsonOut(&peers, "peers", "--connect", btcd.P2PAddr())
		for _, p := range peers {
			if p.Addr == liar.addr() && p.Banned {
				return &p
			}
		}
		return nil
	}
	var after balanceOut
	var ban *peerOut
	for try := 0; ; try++ {
		c.ok("sync", "--connect", btcd.P2PAddr(), "--connect", liar.addr())
		c.jsonOut(&after, "balance")
		if after != before || liar.timesServed() > 0 && func() bool { ban = liarBan(); return ban != nil }() {
			break
		}
		if try == 10 {
			t.Fatalf("after %d syncs the forgery was fetched %d times, but the liar is not banned and the balance is unchanged",
				try+1, liar.timesServed())
		}
	}
	if after != before {
		t.Errorf("a forged spend relayed by a peer changed the balance from %+v to %+v", before, after)
	}
	if got := historyList(t, c); !reflect.DeepEqual(got, histBefore) {
		t.Errorf("a forged spend changed the history:\nbefore: %s\nafter:  %s", dump(histBefore), dump(got))
	}
	if ban == nil {
		ban = liarBan()
	}
	if ban == nil {
		t.Fatal("the peer that relayed the forgery is not banned")
	}
	if !strings.Contains(ban.BanReason, forged.TxHash().String()) {
		t.Errorf("ban reason %q does not name the transaction", ban.BanReason)
	}
}
