package wallet

// The form's validation: every field is checked as it is typed, so that an
// error shows under its field at once, and a payment is drafted only from a
// form without errors.

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"

	"github.com/satchelbtc/satchel/tui/common"
	core "github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/amount"
	"github.com/satchelbtc/satchel/wallet/bip21"
	"github.com/satchelbtc/satchel/wallet/coinselect"
)

// validate checks every field as typed, keeping the parsed values and one
// message per field. Empty required fields are errors only after enter.
func (m *Send) validate() {
	m.errs = [sendFieldCount]string{}
	m.checkTo()
	m.checkAmount()
	m.checkFee()
}

func (m *Send) checkTo() {
	m.addr, m.uriMessage = nil, ""
	s := strings.TrimSpace(m.fields[sendFieldTo].Value())
	if s == "" {
		if m.tried {
			m.errs[sendFieldTo] = "enter the address to pay, or paste a bitcoin: payment request"
		}
		return
	}
	u, err := bip21.Parse(s, m.net)
	if err != nil {
		if bip21.IsErrorCode(err, bip21.ErrWrongNetwork) {
			m.errs[sendFieldTo] = wrongNetwork(s, m.net)
			return
		}
		m.errs[sendFieldTo] = err.Error()
		return
	}
	m.addr, m.uriMessage = u.Address, u.Message
}

func (m *Send) checkAmount() {
	m.amt, m.sendMax = 0, false
	s := strings.TrimSpace(m.fields[sendFieldAmount].Value())
	avail, chosen, known := m.available()
	of := "the spendable balance of " + formatAmount(avail, m.units, false)
	if chosen {
		of = "the chosen coins' total of " + formatAmount(avail, m.units, false)
	}
	switch {
	case s == "":
		if m.tried {
			m.errs[sendFieldAmount] = "enter an amount, or max to send everything"
		}
		return
	case strings.EqualFold(s, "max"):
		m.sendMax = true
		if known && avail == 0 {
			m.errs[sendFieldAmount] = "there is nothing to send: " + of
		}
		return
	}
	a, err := amount.Parse(s)
	switch {
	case err != nil:
		m.errs[sendFieldAmount] = err.Error()
	case known && a > avail:
		m.errs[sendFieldAmount] = "amount exceeds " + of
	case a < dustLimit(m.addr):
		m.errs[sendFieldAmount] = fmt.Sprintf("%s is below the dust limit of %s for this address: nodes would not relay the payment",
			formatAmount(a, m.units, false), amount.FormatSat(dustLimit(m.addr)))
	default:
		m.amt = a
	}
}

func (m *Send) checkFee() {
	m.feeRate = 0
	s := strings.TrimSpace(m.fields[sendFieldFee].Value())
	if len(s) >= len("sat/vb") && strings.EqualFold(s[len(s)-len("sat/vb"):], "sat/vb") {
		s = strings.TrimSpace(s[:len(s)-len("sat/vb")])
	}
	if s == "" {
		if m.tried {
			m.errs[sendFieldFee] = "enter a fee rate in sat/vB, like 2 or 12.5"
		}
		return
	}
	r, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsNaN(r) || math.IsInf(r, 0):
		m.errs[sendFieldFee] = fmt.Sprintf("fee rate %q is not a number: enter sat/vB, like 2 or 12.5", s)
	case r <= 0:
		m.errs[sendFieldFee] = "the fee rate must be more than 0 sat/vB"
	case r > btcutil.MaxSatoshi:
		// Not even one virtual byte could pay it.
		m.errs[sendFieldFee] = fmt.Sprintf("%s sat/vB is more than all the bitcoin there will ever be", formatRate(r))
	default:
		// A rate above the wallet's limit is not refused here: the
		// wallet refuses the draft, and the review asks whether to
		// build it anyway (see absurdFee).
		m.feeRate = r
	}
}

// absurdFeeRate reports whether the rate typed is above the fee rate the
// wallet calls absurd, so that the form warns before the review asks.
func (m *Send) absurdFeeRate() bool { return m.feeRate > core.AbsurdFeeRateSatVB }

// wrongNetwork explains an address of another network by its encoding:
// bech32 prefixes tell mainnet, testnet/signet ("tb") and regtest apart,
// while the base58 prefixes of all test networks are the same.
func wrongNetwork(s string, net *chaincfg.Params) string {
	a := s
	if len(a) > len(bip21.Scheme) && strings.EqualFold(a[:len(bip21.Scheme)+1], bip21.Scheme+":") {
		a = a[len(bip21.Scheme)+1:]
	}
	a, _, _ = strings.Cut(a, "?")
	kind := ""
	lower := strings.ToLower(a)
	if i := strings.LastIndexByte(lower, '1'); i > 0 && chaincfg.IsBech32SegwitPrefix(lower[:i+1]) {
		switch lower[:i] {
		case chaincfg.MainNetParams.Bech32HRPSegwit:
			kind = "mainnet"
		case chaincfg.TestNet3Params.Bech32HRPSegwit:
			kind = "testnet or signet"
		case chaincfg.RegressionNetParams.Bech32HRPSegwit:
			kind = "regtest"
		}
	}
	if kind == "" {
		for _, p := range []struct {
			params *chaincfg.Params
			name   string
		}{{&chaincfg.MainNetParams, "mainnet"}, {&chaincfg.TestNet3Params, "testnet, signet or regtest"}} {
			if d, err := address.DecodeAddress(a, p.params); err == nil && d.IsForNet(p.params) {
				kind = p.name
				break
			}
		}
	}
	if kind == "" {
		return fmt.Sprintf("%s is not an address of %s, the network of this wallet", common.ShortID(a, 16), net.Name)
	}
	return fmt.Sprintf("%s is a %s address; this wallet is on %s", common.ShortID(a, 24), kind, net.Name)
}

// dustLimit is the smallest amount an output to a may carry and still be
// relayed: coinselect's rule (Bitcoin Core's dust rule at 3 sat/vB).
// Without an address it is the lowest limit of any standard output.
func dustLimit(a address.Address) btcutil.Amount {
	if a == nil {
		return 294
	}
	script, err := txscript.PayToAddrScript(a)
	if err != nil {
		return 546
	}
	return coinselect.DefaultDustLimit(script, 0)
}

// formatRate writes a fee rate without trailing zeros.
func formatRate(r float64) string {
	return strconv.FormatFloat(r, 'f', -1, 64)
}
