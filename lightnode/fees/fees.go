// Package fees derives what a light node can know about fees from the
// blocks it fetched and verified and from its peers' BIP133 feefilters.
//
// A block's total fees are its coinbase's outputs minus the subsidy: the
// coinbase may claim at most subsidy + fees, and miners claim it all, so
// even without the spent outputs a light node knows the fees of any block
// it has. Spread over the weight of the block's other transactions, they
// give the block's average fee rate. Suggest turns the recent blocks'
// rates and the peers' relay floors into low / medium / high suggestions,
// each saying where it comes from. Nothing here does I/O: Recent reads
// blocks through a BlockFetcher that the caller provides.
package fees

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

const (
	// MaxBlockWeight is BIP141's limit on a block's weight.
	MaxBlockWeight = 4_000_000

	// WitnessScale is BIP141's witness scale factor: weight counts
	// non-witness bytes four times and witness bytes once, and a virtual
	// byte is four weight units.
	WitnessScale = 4

	// baseSubsidy is the subsidy of the first blocks, 50 BTC.
	baseSubsidy = 50 * btcutil.SatoshiPerBitcoin

	// DefaultMinRelay is the minimum relay fee rate (sat/vB) of Bitcoin
	// Core's and btcd's default policy, the floor when no peer sent a
	// feefilter.
	DefaultMinRelay = 1.0

	// DefaultBlocks is how many recent blocks Suggest is usually given.
	DefaultBlocks = 6
)

// ErrNoCoinbase is returned for a block without transactions, which no
// valid block is.
var ErrNoCoinbase = errors.New("the block has no coinbase transaction")

// Explanation says in plain words what the suggestions are and are not.
const Explanation = "A light client cannot see the mempool's fee market: it does not know " +
	"which transactions are waiting or what they pay. These figures come from what it can " +
	"verify: the fee rates of recent blocks (each block's fees are its coinbase's outputs " +
	"minus the subsidy, divided by the size of its other transactions) and the lowest fee " +
	"rate each connected peer relays (its feefilter). They say what recently got into " +
	"blocks, not what the next block will take; a block that was not full took every " +
	"transaction that paid the peers' floor."

// Subsidy returns the new coins a block at height may create on the chain
// of params: 50 BTC, halved every SubsidyReductionInterval blocks, and
// none after 64 halvings.
func Subsidy(height int32, params *chaincfg.Params) btcutil.Amount {
	if height < 0 {
		return 0
	}
	if params == nil || params.SubsidyReductionInterval <= 0 {
		return baseSubsidy
	}
	halvings := height / params.SubsidyReductionInterval
	if halvings >= 64 {
		return 0
	}
	return baseSubsidy >> uint(halvings)
}

// TxWeight returns a transaction's BIP141 weight.
func TxWeight(tx *wire.MsgTx) int64 {
	return int64(tx.SerializeSizeStripped()*(WitnessScale-1) + tx.SerializeSize())
}

// VSize returns a transaction's virtual size in vbytes, rounded up.
func VSize(tx *wire.MsgTx) int64 {
	return (TxWeight(tx) + WitnessScale - 1) / WitnessScale
}

// Block is what a verified block says about fees and space.
type Block struct {
	Height  int32
	Hash    chainhash.Hash
	TxCount int
	// Size is the serialized size in bytes, witnesses included.
	Size int
	// Weight is the block's BIP141 weight: header, transaction count and
	// every transaction.
	Weight int64
	// CoinbaseWeight is the weight of the coinbase transaction.
	CoinbaseWeight int64
	// TxWeight is the sum of the weights of the other transactions: the
	// space the fees paid for.
	TxWeight int64
	// Subsidy is the new coins the block may create at its height.
	Subsidy btcutil.Amount
	// CoinbaseValue is the sum of the coinbase's outputs.
	CoinbaseValue btcutil.Amount
	// Fees is CoinbaseValue minus Subsidy, 0 when the coinbase claims less
	// than the subsidy. A miner may claim less than it could, so this is
	// what the block's transactions paid at the least; in practice all.
	Fees btcutil.Amount
	// CoinbaseText is the printable part of the coinbase's signature
	// script, where miners leave their tag.
	CoinbaseText string
}

// Stats computes b's figures; height is the block's height, which decides
// its subsidy on the chain of params. It reads nothing but b.
func Stats(b *wire.MsgBlock, height int32, params *chaincfg.Params) (Block, error) {
	if len(b.Transactions) == 0 {
		return Block{}, ErrNoCoinbase
	}
	cb := b.Transactions[0]
	s := Block{
		Height:         height,
		Hash:           b.BlockHash(),
		TxCount:        len(b.Transactions),
		Size:           b.SerializeSize(),
		Weight:         int64(b.SerializeSizeStripped()*(WitnessScale-1) + b.SerializeSize()),
		CoinbaseWeight: TxWeight(cb),
		Subsidy:        Subsidy(height, params),
	}
	for _, tx := range b.Transactions[1:] {
		s.TxWeight += TxWeight(tx)
	}
	for _, out := range cb.TxOut {
		if out.Value < 0 || out.Value > btcutil.MaxSatoshi || s.CoinbaseValue+btcutil.Amount(out.Value) > btcutil.MaxSatoshi {
			return Block{}, fmt.Errorf("the coinbase of block %s pays more than 21 million bitcoin", s.Hash)
		}
		s.CoinbaseValue += btcutil.Amount(out.Value)
	}
	s.Fees = max(s.CoinbaseValue-s.Subsidy, 0)
	if len(cb.TxIn) > 0 {
		s.CoinbaseText = PrintableText(cb.TxIn[0].SignatureScript)
	}
	return s, nil
}

// TxVSize is the virtual size of the block's transactions other than the
// coinbase, in vbytes.
func (b Block) TxVSize() float64 { return float64(b.TxWeight) / WitnessScale }

// FeeRate returns the block's average fee rate in sat/vB: its fees over
// the virtual size of its other transactions. ok is false for a block with
// only its coinbase, which has no rate.
func (b Block) FeeRate() (rate float64, ok bool) {
	if b.TxCount < 2 || b.TxWeight <= 0 {
		return 0, false
	}
	return float64(b.Fees) / b.TxVSize(), true
}

// Fullness is how full the block was: its weight over MaxBlockWeight.
func (b Block) Fullness() float64 { return float64(b.Weight) / MaxBlockWeight }

// PrintableText returns the runs of printable ASCII in script that are at
// least three characters long, joined by single spaces: a miner's tag
// without the pushed height and extra nonce.
func PrintableText(script []byte) string {
	var (
		parts []string
		run   []byte
	)
	flush := func() {
		if len(strings.TrimSpace(string(run))) >= 3 {
			parts = append(parts, strings.TrimSpace(string(run)))
		}
		run = run[:0]
	}
	for _, c := range script {
		if c >= 0x20 && c < 0x7f {
			run = append(run, c)
			continue
		}
		flush()
	}
	flush()
	return strings.Join(parts, " ")
}

// BlockFetcher gives Recent the best chain's verified blocks by height.
type BlockFetcher interface {
	BlockAt(ctx context.Context, height int32) (*wire.MsgBlock, error)
}

// Recent returns the figures of the count blocks ending at tip, newest
// first; fewer near the genesis block.
func Recent(ctx context.Context, src BlockFetcher, tip int32, count int, params *chaincfg.Params) ([]Block, error) {
	var out []Block
	for h := tip; h >= 0 && h > tip-int32(count); h-- {
		b, err := src.BlockAt(ctx, h)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", h, err)
		}
		s, err := Stats(b, h, params)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", h, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// PeerFloor is one peer's BIP133 feefilter: the lowest fee rate it
// relays, in sat/vB.
type PeerFloor struct {
	Addr string
	Rate float64
}

// Suggestion is one suggested fee rate and where it comes from.
type Suggestion struct {
	Rate float64 // sat/vB, rounded up to a tenth
	From string
}

// Estimate is the suggestions and the figures they come from.
type Estimate struct {
	// Blocks are the recent blocks, newest first.
	Blocks []Block
	// Peers are the feefilters the connected peers sent; Floor is the
	// highest of them, 0 when none sent one.
	Peers []PeerFloor
	Floor float64
	// Low gets relayed by every peer; Medium is what recent blocks
	// typically took; High is what the most demanding recent block took.
	Low, Medium, High Suggestion
}

// Suggest derives low / medium / high fee rates from the recent blocks
// (newest first) and the peers' feefilters. Low is the peers' relay floor
// (at least DefaultMinRelay); medium the median of the blocks' average
// fee rates; high the highest. Each is at least the one below it.
func Suggest(blocks []Block, peers []PeerFloor) Estimate {
	e := Estimate{Blocks: blocks, Peers: peers}
	for _, p := range peers {
		e.Floor = max(e.Floor, p.Rate)
	}
	e.Low = Suggestion{Rate: DefaultMinRelay, From: "the default minimum relay fee: no peer sent a feefilter"}
	if e.Floor > 0 {
		e.Low = Suggestion{Rate: e.Floor, From: fmt.Sprintf("the highest feefilter of %s", plural(len(peers), "peer"))}
		if e.Floor < DefaultMinRelay {
			e.Low.Rate = DefaultMinRelay
			e.Low.From += fmt.Sprintf(" (%s sat/vB), raised to the default minimum relay fee", FormatRate(e.Floor))
		}
	}
	e.Low.Rate = roundUp(e.Low.Rate)

	type rated struct {
		height int32
		rate   float64
	}
	var rates []rated
	for _, b := range blocks {
		if r, ok := b.FeeRate(); ok {
			rates = append(rates, rated{b.Height, r})
		}
	}
	span := blockSpan(blocks)
	if len(rates) == 0 {
		from := "no transactions besides the coinbase in " + span + ": the low rate"
		if len(blocks) == 0 {
			from = "no recent block: the low rate"
		}
		e.Medium = Suggestion{Rate: e.Low.Rate, From: from}
		e.High = e.Medium
		return e
	}
	slices.SortStableFunc(rates, func(a, b rated) int {
		switch {
		case a.rate < b.rate:
			return -1
		case a.rate > b.rate:
			return 1
		}
		return 0
	})
	var median float64
	if n := len(rates); n%2 == 1 {
		median = rates[n/2].rate
	} else {
		median = (rates[n/2-1].rate + rates[n/2].rate) / 2
	}
	top := rates[len(rates)-1]
	e.Medium = Suggestion{Rate: roundUp(median),
		From: fmt.Sprintf("the median average fee rate of %s", span)}
	if len(rates) < len(blocks) {
		e.Medium.From += fmt.Sprintf(" (the %s with transactions)", plural(len(rates), "block"))
	}
	e.High = Suggestion{Rate: roundUp(top.rate),
		From: fmt.Sprintf("the highest average fee rate of %s (block %d)", span, top.height)}
	if e.Medium.Rate < e.Low.Rate {
		e.Medium.Rate = e.Low.Rate
		e.Medium.From += ", raised to the low rate"
	}
	if e.High.Rate < e.Medium.Rate {
		e.High.Rate = e.Medium.Rate
		e.High.From += ", raised to the medium rate"
	}
	return e
}

// FormatRate writes a fee rate in sat/vB with up to two decimals, like
// "1", "2.5" or "13.37".
func FormatRate(r float64) string {
	s := fmt.Sprintf("%.2f", r)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// roundUp rounds r up to a tenth of a sat/vB, so a suggestion never pays
// less than the figure it comes from.
func roundUp(r float64) float64 {
	return math.Ceil(r*10-1e-9) / 10
}

// blockSpan names the blocks: "blocks 95–100", "block 7".
func blockSpan(blocks []Block) string {
	if len(blocks) == 0 {
		return "no blocks"
	}
	lo, hi := blocks[0].Height, blocks[0].Height
	for _, b := range blocks {
		lo, hi = min(lo, b.Height), max(hi, b.Height)
	}
	if lo == hi {
		return fmt.Sprintf("block %d", lo)
	}
	return fmt.Sprintf("the last %d blocks (%d–%d)", len(blocks), lo, hi)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
