package wizard

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/session"
	core "github.com/satchelbtc/satchel/wallet"
)

// Source writes the new wallet and answers what the wizard asks of the
// chain. The app adapts the keystore, wallet, session and light node
// packages to it. Its methods are called from a tea.Cmd, never from Update
// or View, so they may block (the password KDF takes about a second,
// discovery as long as the filters take).
type Source interface {
	// NewMnemonic returns new random BIP39 English words, words of them
	// (12 or 24).
	NewMnemonic(words int) (string, error)

	// WalletNames returns the names the wallets of Create would get, one
	// per type: the first is the wallet the app opens, the others are
	// named after it and their type. It does no I/O.
	WalletNames(types []core.ScriptType) []string

	// Create writes one wallet per script type of req from one mnemonic
	// (new or restored), encrypted with req.Password. A new wallet's
	// birthday is the node's tip; a restored one's is req.Birthday.
	Create(ctx context.Context, req CreateRequest) error

	// Import makes a watch-only wallet from descriptors (a multipath one,
	// or a receive and a change one; single-key or multisig) or from one
	// extended public key, exactly like `satchel wallet import`: an xpub's
	// SLIP-132 prefix picks its script type (ypub/upub p2sh-p2wpkh,
	// zpub/vpub p2wpkh) and xpub/tpub are p2wpkh. Exactly one of
	// descriptors and xpub is given. A watch-only wallet has no password.
	Import(ctx context.Context, descriptors []string, xpub string, birthday core.Birthday) error

	// Chain says how far the node's headers reach, to check a birthday.
	Chain() ChainInfo

	// DateHeight returns the block a birthday date starts the scan at
	// (wallet.HeightForTime over the node's headers); found is false when
	// the headers do not reach the date yet, or offline.
	DateHeight(date time.Time) (height int32, found bool, err error)

	// Discover looks for the script types the seed of mnemonic and
	// passphrase used, from birthday on (session.DiscoverScriptTypes),
	// calling progress from its goroutine. Offline it returns an error
	// wrapping session.ErrOffline.
	Discover(ctx context.Context, mnemonic, passphrase string, birthday core.Birthday,
		progress func(session.DiscoverProgress)) ([]core.ScriptUse, error)
}

// CreateRequest is what Create writes.
type CreateRequest struct {
	Mnemonic   string
	Passphrase string // the optional BIP39 passphrase
	Password   []byte
	// Types holds one script type per wallet to write, at least one; the
	// first is the wallet the app opens.
	Types []core.ScriptType
	// Restored says whether the words come from a backup.
	Restored bool
	// Birthday is where a restored wallet's first scan starts.
	Birthday core.Birthday
}

// ChainInfo is how far the node's headers reach.
type ChainInfo struct {
	// Online is false when there is no node (satchel --offline).
	Online bool
	// Height and Time are the header tip's.
	Height int32
	Time   time.Time
	// Synced says whether the headers have caught up with the peers.
	Synced bool
}

// DoneMsg is emitted when the wallet has been written; the root model then
// opens it. WatchOnly says whether it was imported without keys.
type DoneMsg struct {
	WatchOnly bool
}

// mnemonicMsg carries new words back to the model that asked for them.
type mnemonicMsg struct {
	id       int64
	seq      uint64
	mnemonic string
	err      error
}

// resultMsg carries the outcome of Create or Import back to the model that
// started it.
type resultMsg struct {
	id        int64
	seq       uint64
	watchOnly bool
	err       error
}

// chainMsg carries the node's header tip to the birthday step.
type chainMsg struct {
	id   int64
	info ChainInfo
}

// dateMsg carries the block a birthday date maps to.
type dateMsg struct {
	id     int64
	date   time.Time
	height int32
	found  bool
}

// discoverMsg is news from a discovery run: progress, or with done its
// result.
type discoverMsg struct {
	id       int64
	seq      uint64
	progress session.DiscoverProgress
	done     bool
	uses     []core.ScriptUse
	err      error
	next     func() tea.Msg // reads the next message, after progress
}
