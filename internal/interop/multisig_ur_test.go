package interop_test

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/tyler-smith/go-bip39"

	"github.com/satchelbtc/satchel/internal/interop"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// multisigDescriptor is a 2-of-3 of BIP48 keys of three seeds on net.
func multisigDescriptor(t *testing.T, net *chaincfg.Params, p2sh bool, fn string) *wallet.Descriptor {
	t.Helper()
	const h = hdkeychain.HardenedKeyStart
	coin, script := uint32(1), uint32(2)
	if net == &chaincfg.MainNetParams {
		coin = 0
	}
	if p2sh {
		script = 1
	}
	var keys []string
	for _, m := range []string{
		"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
		"legal winner thank year wave sausage worth useful legal winner thank yellow",
		"letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
	} {
		master, err := hdkeychain.NewMaster(bip39.NewSeed(m, ""), net)
		if err != nil {
			t.Fatal(err)
		}
		k := master
		for _, s := range []uint32{48 + h, coin + h, h, script + h} {
			if k, err = k.Derive(s); err != nil {
				t.Fatal(err)
			}
		}
		xpub, _ := k.Neuter()
		fp := hdkeychain.NewExtendedKey(net.HDPublicKeyID[:], mustPub(t, master), master.ChainCode(), []byte{0, 0, 0, 0}, 0, 0, false)
		keys = append(keys, fmt.Sprintf("[%08x/48h/%dh/0h/%dh]%s/<0;1>/*", fingerprint(t, fp), coin, script, xpub))
	}
	s := fn + "(2," + strings.Join(keys, ",") + ")"
	if p2sh {
		s = "sh(wsh(" + s + "))"
	} else {
		s = "wsh(" + s + ")"
	}
	d, err := wallet.ParseDescriptor(s, net)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustPub(t *testing.T, k *hdkeychain.ExtendedKey) []byte {
	t.Helper()
	pub, err := k.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub.SerializeCompressed()
}

// fingerprint is the BIP32 fingerprint of a key: its identifier's first
// four bytes, as a number in that order.
func fingerprint(t *testing.T, k *hdkeychain.ExtendedKey) uint32 {
	t.Helper()
	child, err := k.Derive(0)
	if err != nil {
		t.Fatal(err)
	}
	return child.ParentFingerprint()
}

// TestMultisigOutputURInterop: satchel's ur:crypto-output of a multisig
// wallet, single- and multi-part, reads with @ngraveio/bc-ur into the same
// descriptor (the keys rebuilt by @scure/bip32 from the CBOR); and bc-ur's
// fountain parts of the same CBOR read back in satchel as the same wallet,
// shuffled and with duplicates.
func TestMultisigOutputURInterop(t *testing.T) {
	interop.Require(t)
	rng := rand.New(rand.NewPCG(3, 4))
	type tc struct {
		name string
		desc *wallet.Descriptor
		u    *ur.UR
	}
	var cases []tc
	var reqs []map[string]any
	for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.RegressionNetParams} {
		for _, p2sh := range []bool{false, true} {
			for _, fn := range []string{"sortedmulti", "multi"} {
				d := multisigDescriptor(t, net, p2sh, fn)
				o, err := d.UROutput(net, true)
				if err != nil {
					t.Fatal(err)
				}
				u := o.UR()
				for _, frag := range []int{40, 5000} {
					e, err := ur.NewEncoder(u, frag)
					if err != nil {
						t.Fatal(err)
					}
					parts := make([]string, e.SeqLen()*2)
					for i := range parts {
						parts[i] = e.NextPart()
					}
					cases = append(cases, tc{name: fmt.Sprintf("%s p2sh=%v %s fragment %d", net.Name, p2sh, fn, frag), desc: d, u: u})
					reqs = append(reqs,
						map[string]any{"op": "ur_output", "parts": shuffle(rng, parts)},
						map[string]any{"op": "ur_parts", "type": u.Type, "cbor_hex": hex.EncodeToString(u.CBOR),
							"max_fragment": frag, "count": len(parts)})
				}
			}
		}
	}
	var answers []struct {
		Complete   bool     `json:"complete"`
		Failure    string   `json:"failure"`
		Type       string   `json:"type"`
		Descriptor string   `json:"descriptor"`
		Parts      []string `json:"parts"`
	}
	call(t, map[string]any{"op": "batch", "requests": reqs}, &answers)
	if len(answers) != len(reqs) {
		t.Fatalf("%d answers to %d requests", len(answers), len(reqs))
	}
	for i, c := range cases {
		got := answers[2*i]
		want := strings.SplitN(c.desc.String(), "#", 2)[0]
		if !got.Complete || got.Failure != "" || got.Type != ur.TypeCryptoOutput || got.Descriptor != want {
			t.Errorf("%s: bc-ur read %+v\nwant %s", c.name, got, want)
		}
		// bc-ur's parts of our CBOR, in any order, read back here.
		dec := ur.NewDecoder()
		for _, p := range shuffle(rng, answers[2*i+1].Parts) {
			if _, err := dec.Receive(p); err != nil {
				t.Fatalf("%s: bc-ur's part %q: %v", c.name, p, err)
			}
		}
		if !dec.Complete() {
			t.Fatalf("%s: bc-ur's parts did not complete", c.name)
		}
		acct, err := ur.DecodeAccount(dec.Result())
		if err != nil {
			t.Fatal(err)
		}
		net := &chaincfg.RegressionNetParams
		if strings.Contains(want, "xpub") {
			net = &chaincfg.MainNetParams
		}
		back, err := wallet.DescriptorFromUR(&acct.Outputs[0], 0, net)
		if err != nil || back.String() != c.desc.String() {
			t.Errorf("%s: bc-ur's parts import as %v, %v", c.name, back, err)
		}
	}
}
