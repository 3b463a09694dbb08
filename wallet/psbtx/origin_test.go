package psbtx

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/psbt/v2"
)

// workflowKeys is the "workflow_keys" entry of bip174_vectors.json.
type workflowKeys struct {
	MasterKey         string `json:"master_key"`
	MasterFingerprint string `json:"master_fingerprint"`
}

// TestBIP174KeyOrigins checks key origins against BIP174's updater example,
// whose BIP32 derivations name the master key tprv8ZgxMBicQKsPd9Te… by its
// fingerprint d90c6a4f: every derivation of the vector reads as that
// fingerprint and records the key the master derives at its path, and
// derivations written by NewBip32Derivation reproduce the vector byte for
// byte.
func TestBIP174KeyOrigins(t *testing.T) {
	var v struct {
		Workflow map[string]bip174Vector `json:"workflow"`
		Keys     workflowKeys            `json:"workflow_keys"`
	}
	loadJSON(t, "bip174_vectors.json", &v)
	master, err := hdkeychain.NewKeyFromString(v.Keys.MasterKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := master.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	fpBytes := address.Hash160(pub.SerializeCompressed())[:4]
	if hex.EncodeToString(fpBytes) != v.Keys.MasterFingerprint {
		t.Fatalf("fingerprint %x, BIP174 says %s", fpBytes,
			v.Keys.MasterFingerprint)
	}
	fp := uint32(fpBytes[0])<<24 | uint32(fpBytes[1])<<16 |
		uint32(fpBytes[2])<<8 | uint32(fpBytes[3])
	if fb := FingerprintBytes(fp); !bytes.Equal(fb[:], fpBytes) {
		t.Fatalf("FingerprintBytes(%08x) = %x", fp, fb)
	}

	updated := v.Workflow["updater"]
	p := updated.mustParse(t)
	n := 0
	derive := func(path []uint32) []byte {
		k := master
		for _, i := range path {
			if k, err = k.Derive(i); err != nil {
				t.Fatal(err)
			}
		}
		pk, err := k.ECPubKey()
		if err != nil {
			t.Fatal(err)
		}
		return pk.SerializeCompressed()
	}
	rewrite := func(derivs []*psbt.Bip32Derivation, where string) {
		for k, d := range derivs {
			n++
			if got := Fingerprint(d); got != fp {
				t.Errorf("%s: derivation %s names fingerprint %08x, "+
					"want %s", where, formatPath(d.Bip32Path), got,
					v.Keys.MasterFingerprint)
			}
			key := derive(d.Bip32Path)
			if !bytes.Equal(key, d.PubKey) {
				t.Errorf("%s: the key at %s is not the master's", where,
					formatPath(d.Bip32Path))
			}
			pk, err := btcec.ParsePubKey(key)
			if err != nil {
				t.Fatal(err)
			}
			derivs[k] = NewBip32Derivation(fp, pk, d.Bip32Path)
		}
	}
	for i := range p.Inputs {
		rewrite(p.Inputs[i].Bip32Derivation, fmt.Sprintf("input %d", i))
	}
	for j := range p.Outputs {
		rewrite(p.Outputs[j].Bip32Derivation, fmt.Sprintf("output %d", j))
	}
	if n != 6 {
		t.Fatalf("%d derivations in BIP174's updater example, want 6", n)
	}
	got, err := EncodeBinary(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, updated.raw(t)) {
		t.Fatalf("derivations written by NewBip32Derivation differ from "+
			"BIP174's:\n got %x\nwant %x", got, updated.raw(t))
	}
}
