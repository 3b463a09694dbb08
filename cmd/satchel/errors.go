package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"charm.land/fang/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/lightnode/headerstore"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
)

// errorHandler prints a command's error on stderr: one line for a person,
// or with --json (or SATCHEL_JSON) one JSON object, {"error": "...",
// "code": "..."}, with what a refusing peer said when it was a broadcast.
// The exit code is the same either way.
func (a *app) errorHandler(w io.Writer, _ fang.Styles, err error) {
	if a.wantJSON() {
		writeJSONError(w, err)
		return
	}
	fmt.Fprintln(w, "satchel: "+errorText(err))
}

// errorHandler prints err as the one plain line, for callers that have no
// app (and so no --json) at hand.
func errorHandler(w io.Writer, st fang.Styles, err error) {
	(&app{}).errorHandler(w, st, err)
}

// wantJSON tells whether --json was asked for. A command can fail before
// the environment is read (a usage error), so SATCHEL_JSON is read here
// too.
func (a *app) wantJSON() bool {
	if a.flags.json {
		return true
	}
	if a.getenv == nil {
		return false
	}
	on, err := strconv.ParseBool(a.getenv(envPrefix + "JSON"))
	return err == nil && on
}

// errorText is the error as the one line a person reads.
func errorText(err error) string {
	msg := err.Error()
	if isUsageError(msg) {
		msg += " (see --help)"
	}
	return msg
}

// jsonError is an error as --json prints it.
type jsonError struct {
	Error string `json:"error"`
	// Code names the kind of error, for the kinds a script may want to
	// tell apart (see errorCode); absent for the others.
	Code string `json:"code,omitempty"`
	// PeerSaid is what the peers said when they refused a broadcast.
	PeerSaid string `json:"peer_said,omitempty"`
	// MinFeeRate is the fee rate (sat/vB) the peers asked for.
	MinFeeRate float64 `json:"min_fee_rate,omitempty"`
}

// writeJSONError writes err as one line of JSON.
func writeJSONError(w io.Writer, err error) {
	out := jsonError{Error: errorText(err), Code: errorCode(err)}
	var re *lightnode.RejectError
	if errors.As(err, &re) {
		out.PeerSaid = re.PeerSaid()
		out.MinFeeRate = re.MinFeeRate
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // "<" stays "<", as a person wrote it
	_ = enc.Encode(out)
}

// errorCode names the kinds of error a script may act on: the reason peers
// refused a broadcast (lightnode.RejectCode), a wrong password, a missing
// wallet, a usage mistake, and so on; "" for the rest.
func errorCode(err error) string {
	var re *lightnode.RejectError
	switch {
	case errors.As(err, &re):
		return re.Code.String()
	case isUsageError(err.Error()):
		return "usage"
	case errors.Is(err, keystore.ErrWrongPassword):
		return "wrong_password"
	case errors.Is(err, errNoPassword):
		return "password_needed"
	case errors.Is(err, wallet.ErrNotFound):
		return "no_wallet"
	case errors.Is(err, wallet.ErrExists):
		return "wallet_exists"
	case errors.Is(err, session.ErrWatchOnly), errors.Is(err, wallet.ErrWatchOnly), errors.Is(err, keystore.ErrNoKeystore):
		return "watch_only"
	case errors.Is(err, session.ErrOffline):
		return "offline"
	case errors.Is(err, wallet.ErrInUse), errors.Is(err, headerstore.ErrInUse):
		return "in_use"
	case errors.Is(err, lightnode.ErrNoPeers):
		return "no_peers"
	case errors.Is(err, lightnode.ErrTxNotFound):
		return "tx_not_found"
	}
	return ""
}

// hintError is an error with its own wording that still matches its
// cause with errors.Is: "no wallet named ...: create one with ..." is
// wallet.ErrNotFound.
type hintError struct {
	msg string
	err error
}

func (e *hintError) Error() string { return e.msg }
func (e *hintError) Unwrap() error { return e.err }

// isUsageError tells cobra's own usage errors from ours, which never start
// with these words.
func isUsageError(msg string) bool {
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag",
		"flag needs an argument", "invalid argument", "accepts ", "required flag"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
