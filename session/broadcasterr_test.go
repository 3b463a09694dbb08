package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// A payment btcd refuses comes back as a *lightnode.RejectError that says
// what to do, for a fee under the minimum relay fee, a double spend of a
// payment already sent and a dust output; nothing is recorded, and the
// wallet's balance does not move.
func TestPayRefusedByPeers(t *testing.T) {
	// On regtest btcd relays non-standard transactions (dust included)
	// unless told to hold them to mainnet's policy.
	btcd := regtest.Start(t, regtest.WithArgs("--rejectnonstd"))
	btcd.Generate(110)
	dir := newWallet(t, false)
	s, err := session.Open(dir, "default", session.Config{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	fund(t, btcd, s)
	s.Close()

	node := startNode(t, btcd)
	s, err = session.Open(dir, "default", session.Config{Net: net, Node: node})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Scan(ctx, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Wallet().Balance()

	// Every draft spends the wallet's one coin: drafted before any is sent.
	draft := func(rate float64) *wallet.Draft {
		t.Helper()
		d, err := s.Draft(&wallet.SendRequest{FeeRate: rate,
			Recipients: []wallet.Recipient{{Address: minerAddress(t, btcd), Amount: 1_000_000}}})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cheap, first, again, dusty := draft(0.5), draft(2), draft(2.5), draft(3)

	refused := func(what string, err error, code lightnode.RejectCode, says string) {
		t.Helper()
		var re *lightnode.RejectError
		if !errors.As(err, &re) || re.Code != code || !strings.Contains(err.Error(), says) {
			t.Fatalf("%s: %v (%T); want %s saying %q", what, err, err, code, says)
		}
		t.Logf("%s: %v (peer said: %s)", what, err, re.PeerSaid())
		if re.PeerSaid() == "" || !strings.HasPrefix(re.PeerSaid(), btcd.P2PAddr()+": ") {
			t.Fatalf("%s: what the peer said is lost: %q", what, re.PeerSaid())
		}
		if after, _ := s.Wallet().Balance(); after != before && what != "double spend" {
			t.Fatalf("%s: a refused payment changed the balance from %+v to %+v", what, before, after)
		}
	}

	// A young coin has too little priority to travel free: btcd wants the
	// minimum relay fee.
	_, err = s.Pay(ctx, cheap, session.PayOptions{Password: password})
	refused("below the minimum relay fee", err, lightnode.RejectFeeTooLow,
		"fee too low for the peers: raise the fee rate (the peers want at least 1.0 sat/vB)")

	// An output of 100 sat is dust to btcd. The wallet never drafts one, so
	// the draft is changed before it is signed, as another wallet might.
	pay := dusty.Packet.UnsignedTx.TxOut[1-dusty.ChangeIndex]
	dusty.Packet.UnsignedTx.TxOut[dusty.ChangeIndex].Value += pay.Value - 100
	pay.Value = 100
	if _, err := s.Sign(dusty.Packet, password, wallet.SignOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if err := psbtx.Finalize(dusty.Packet); err != nil {
		t.Fatal(err)
	}
	tx, err := psbtx.Extract(dusty.Packet)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Broadcast(ctx, tx)
	refused("dust", err, lightnode.RejectDust,
		"an output is too small for the peers to relay (dust): raise that amount, or leave the output out")

	// The same coin twice: the first payment signals RBF, so the second
	// is a replacement, and a higher rate is not enough: it must also pay
	// the first one's fee plus its own relay fee (BIP125 rule 3).
	sent, err := s.Pay(ctx, first, session.PayOptions{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if !btcd.InMempool(sent.Txid) {
		t.Fatalf("btcd does not have %s", sent.Txid)
	}
	_, err = s.Pay(ctx, again, session.PayOptions{Password: password})
	refused("double spend", err, lightnode.RejectReplacementFee,
		"the fee is too low to replace the unconfirmed transaction that spends the same coins: raise the fee rate (the peers want at least")
}
