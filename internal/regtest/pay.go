package regtest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// Coin is a spendable output of the node's mining key.
type Coin struct {
	OutPoint wire.OutPoint
	Value    int64
}

// Block returns the block at height, decoded.
func (n *Node) Block(height int32) *wire.MsgBlock {
	n.tb.Helper()
	raw, err := n.Call("getblock", n.BlockHash(height).String(), 0)
	if err != nil {
		n.tb.Fatalf("getblock %d: %v", height, err)
	}
	var s string
	json.Unmarshal(raw, &s)
	b, err := hex.DecodeString(s)
	if err != nil {
		n.tb.Fatal(err)
	}
	var block wire.MsgBlock
	if err := block.Deserialize(bytes.NewReader(b)); err != nil {
		n.tb.Fatal(err)
	}
	return &block
}

// CoinbaseCoin returns the coinbase output of the block at height, which
// pays the mining key (spendable once 100 blocks deep).
func (n *Node) CoinbaseCoin(height int32) Coin {
	n.tb.Helper()
	cb := n.Block(height).Transactions[0]
	return Coin{OutPoint: wire.OutPoint{Hash: cb.TxHash(), Index: 0}, Value: cb.TxOut[0].Value}
}

// KeyScript returns the P2WPKH script of a public key on regtest.
func KeyScript(pub *btcec.PublicKey) []byte {
	addr, err := address.NewAddressWitnessPubKeyHash(address.Hash160(pub.SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		panic(err) // a 20-byte hash is always a valid program
	}
	s, _ := txscript.PayToAddrScript(addr)
	return s
}

// Payment builds a signed transaction spending c (an output of the mining
// key) to outputs equal shares paying script, less a 10,000-sat fee. With a
// nil script it pays back to the mining key.
func (n *Node) Payment(c Coin, outputs int, script []byte) *wire.MsgTx {
	n.tb.Helper()
	key := n.MiningKey()
	own := KeyScript(key.PubKey())
	if script == nil {
		script = own
	}
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&c.OutPoint, nil, nil))
	each := (c.Value - 10_000) / int64(outputs)
	for range outputs {
		tx.AddTxOut(wire.NewTxOut(each, script))
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(own, c.Value)
	wit, err := txscript.WitnessSignature(tx, txscript.NewTxSigHashes(tx, fetcher), 0, c.Value, own,
		txscript.SigHashAll, key, true)
	if err != nil {
		n.tb.Fatal(err)
	}
	tx.TxIn[0].Witness = wit
	return tx
}

// TxHex serializes a transaction as hex.
func TxHex(tx *wire.MsgTx) string {
	var buf bytes.Buffer
	tx.Serialize(&buf)
	return hex.EncodeToString(buf.Bytes())
}

// SendRaw submits a transaction through the node's RPC.
func (n *Node) SendRaw(tx *wire.MsgTx) {
	n.tb.Helper()
	if _, err := n.Call("sendrawtransaction", TxHex(tx)); err != nil {
		n.tb.Fatalf("sendrawtransaction: %v", err)
	}
}

// InMempool reports whether btcd's mempool holds the transaction.
func (n *Node) InMempool(id chainhash.Hash) bool {
	n.tb.Helper()
	raw, err := n.Call("getrawmempool")
	if err != nil {
		n.tb.Fatal(err)
	}
	var ids []string
	json.Unmarshal(raw, &ids)
	for _, s := range ids {
		if s == id.String() {
			return true
		}
	}
	return false
}
