package wizard

import (
	"context"
	"fmt"
	"slices"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
	core "github.com/satchelbtc/satchel/wallet"
)

// toBirthday leads from the first screen to a restore's birthday step with
// the "abandon … about" words and no passphrase.
func toBirthday(t *testing.T, m *Model) {
	t.Helper()
	press(t, m, restoreSteps...)
	send(t, m, tea.PasteMsg{Content: vectorAbout + " "})
	press(t, m, "enter", "enter")
	if m.step != stepBirthday {
		t.Fatalf("not on the birthday step:\n%s", screen(m))
	}
}

func TestBirthday(t *testing.T) {
	src := &fakeSource{chain: ChainInfo{Online: true, Height: 870_000, Synced: true}}
	m := newWizard(t, src, 80, 24)
	toBirthday(t, m)
	wantScreen(t, m, "Restore · wallet birthday (optional)", "Empty: the whole chain is scanned",
		"The headers reach block 870,000.")
	tests := []struct{ typed, want string }{
		{"812345", "✓ The scan starts at block 812,345."},
		{"812,345", "✓ The scan starts at block 812,345."},
		{"900000", "✗ Block 900,000 is beyond the tip of the chain (870,000): give an earlier height, a date, or leave it empty."},
		{"2024-03-01", "✓ The scan starts at block 800,059, the first block of 2024-02-29: a day early"},
		{"2027-01-01", "✗ 2027-01-01: the date is in the future"},
		{"2024-02-30", `✗ "2024-02-30" is not a date: write it as YYYY-MM-DD, e.g. 2024-03-01.`},
		{"last year", `✗ "last year" is neither a block height (e.g. 812345) nor a date (YYYY-MM-DD).`},
	}
	for _, tt := range tests {
		press(t, m, "ctrl+u")
		typeText(t, m, tt.typed)
		wantScreen(t, m, tt.want)
	}
	// A bad birthday does not go on.
	press(t, m, "enter")
	if m.step != stepBirthday {
		t.Fatal("a birthday that is neither a height nor a date was taken")
	}
	press(t, m, "ctrl+u")
	typeText(t, m, "2024-03-01")
	press(t, m, "enter", "enter") // the birthday, the default type
	typeText(t, m, "correct horse")
	press(t, m, "enter")
	typeText(t, m, "correct horse")
	press(t, m, "enter")
	if len(src.creates) != 1 || src.creates[0].birthday != "2024-03-01" {
		t.Fatalf("Create calls %+v, want one with the birthday 2024-03-01", src.creates)
	}

	// Headers still syncing: a height past them is taken, and said so.
	src = &fakeSource{chain: ChainInfo{Online: true, Height: 500_000}}
	m = newWizard(t, src, 80, 24)
	toBirthday(t, m)
	typeText(t, m, "812345")
	wantScreen(t, m, "✓ The scan starts at block 812,345.", "The headers reach block 500,000 so far, still syncing")
	press(t, m, "ctrl+u")
	typeText(t, m, "2024-03-01")
	wantScreen(t, m, "✓ The headers do not reach 2024-02-29 yet: the scan starts at its first block once they do.")
	// Offline: not checked.
	m = newWizard(t, &fakeSource{}, 80, 24)
	toBirthday(t, m)
	typeText(t, m, "812345")
	wantScreen(t, m, "✓ The scan starts at block 812,345.", "Offline: the height is not checked against the chain.")
	press(t, m, "enter")
	wantScreen(t, m, "Needs the network, and satchel runs --offline: pick the type below.")
	press(t, m, "k", "enter")
	wantScreen(t, m, "Satchel is offline, so the types cannot be looked up")
	if m.step != stepScript {
		t.Fatal("discovery started offline")
	}
}

// usesOf returns what a discovery of the four types reports, with
// payments for the types in used.
func usesOf(used ...core.ScriptType) []core.ScriptUse {
	var out []core.ScriptUse
	for _, st := range core.DiscoverTypes {
		u := core.ScriptUse{Type: st, FirstHeight: -1}
		if slices.Contains(used, st) {
			u.Payments, u.Received, u.FirstHeight = 1, 50_000_000, 111
		}
		out = append(out, u)
	}
	return out
}

// toDiscovery leads to the restore type list with birthday 100 and
// returns the command that starts the discovery.
func toDiscovery(t *testing.T, m *Model) tea.Cmd {
	t.Helper()
	toBirthday(t, m)
	typeText(t, m, "100")
	press(t, m, "enter")
	wantScreen(t, m, "Find the types I used", "from the birthday")
	press(t, m, "k")
	_, cmd := m.Update(keyMsg("enter"))
	if m.step != stepDiscover {
		t.Fatalf("enter on %q did not start it:\n%s", discoverTitle, screen(m))
	}
	return cmd
}

// discoverNews runs the command that starts a discovery, or reads its
// next message, and returns that message, leaving out the spinner.
func discoverNews(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if c == nil {
				continue
			}
			if msg, ok := c().(discoverMsg); ok {
				return msg
			}
		}
		t.Fatal("the command does not read the discovery")
	}
	return msg
}

// TestDiscover runs discovery with a source that reports progress, then
// payments to taproot and nested SegWit: both are proposed, kept, and
// written as two wallets.
func TestDiscover(t *testing.T) {
	release := make(chan struct{})
	src := &fakeSource{chain: ChainInfo{Online: true, Height: 200, Synced: true},
		discover: func(ctx context.Context, progress func(session.DiscoverProgress)) ([]core.ScriptUse, error) {
			progress(session.DiscoverProgress{Height: 150, Target: 200})
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return usesOf(core.P2TR, core.P2SHP2WPKH), nil
		}}
	m := newWizard(t, src, 80, 24)
	cmd := toDiscovery(t, m)
	wantScreen(t, m, "Waiting for the node to sync headers and filters…", "esc stop")
	_, cmd = m.Update(discoverNews(t, cmd)) // the progress
	wantScreen(t, m, "Blocks 150 of 200", "75%")
	if len(src.discovers) != 1 || src.discovers[0].Height != 100 {
		t.Errorf("Discover got birthdays %v, want 100", src.discovers)
	}
	close(release)
	run(t, m, cmd)
	wantScreen(t, m, "Restore · the types you used", "2 types have payments",
		"> [x] Taproot p2tr (BIP86)", "1 payment, 0.5 BTC, first in block 111 → wallet default",
		"[x] Nested SegWit p2sh-p2wpkh (BIP49)", "→ wallet default-p2sh-p2wpkh",
		"[ ] Native SegWit p2wpkh (BIP84)", "no payments")

	// Dropping both is refused; keeping them again goes on.
	press(t, m, "space", "j", "space", "enter")
	wantScreen(t, m, "Keep at least one type with space")
	press(t, m, "space", "k", "space", "enter")
	wantScreen(t, m, "Restore · wallet password")
	press(t, m, "esc")
	wantScreen(t, m, "Restore · the types you used")
	press(t, m, "enter")
	typeText(t, m, "correct horse")
	press(t, m, "enter")
	typeText(t, m, "correct horse")
	out := press(t, m, "enter")
	if len(src.requests) != 1 || !slices.Equal(src.requests[0].Types, []core.ScriptType{core.P2TR, core.P2SHP2WPKH}) ||
		src.requests[0].Birthday.Height != 100 {
		t.Fatalf("Create requests %+v, want p2tr and p2sh-p2wpkh from block 100", src.requests)
	}
	if len(out) != 1 || out[0] != (DoneMsg{}) {
		t.Fatalf("emitted %#v, want DoneMsg", out)
	}
}

func TestDiscoverStopAndFail(t *testing.T) {
	src := &fakeSource{chain: ChainInfo{Online: true, Height: 200, Synced: true},
		discover: func(ctx context.Context, progress func(session.DiscoverProgress)) ([]core.ScriptUse, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}}
	m := newWizard(t, src, 80, 24)
	cmd := toDiscovery(t, m)
	press(t, m, "esc")
	run(t, m, cmd)
	wantScreen(t, m, "Stopped: pick the type by hand, or look again.", "> Find the types I used")

	// Nothing found: nothing kept, and esc picks by hand.
	src.discover = nil
	press(t, m, "enter")
	wantScreen(t, m, "No payments to the first addresses of any type were found", "[ ] Native SegWit")
	press(t, m, "enter")
	wantScreen(t, m, "Keep at least one type")
	press(t, m, "esc")
	if m.step != stepScript {
		t.Fatal("esc after discovery did not go back to the list")
	}

	// A node that never syncs.
	src.discover = func(context.Context, func(session.DiscoverProgress)) ([]core.ScriptUse, error) {
		return nil, context.DeadlineExceeded
	}
	press(t, m, "k", "enter")
	wantScreen(t, m, "Could not look for the types: context deadline exceeded. Pick the type by hand, or look again.")
}

func TestWeakPassword(t *testing.T) {
	src := &fakeSource{}
	m := newWizard(t, src, 80, 24)
	toBirthday(t, m)
	press(t, m, "enter", "enter")
	typeText(t, m, "hunter22")
	press(t, m, "enter")
	typeText(t, m, "hunter22")
	press(t, m, "enter")
	wantScreen(t, m, "⚠ Weak: the password is one of the most common passwords",
		"Use it anyway? Enter uses it; esc chooses another.", "enter use it anyway · esc choose another")
	if len(src.creates) != 0 {
		t.Fatal("a weak password was used without a confirmation")
	}
	press(t, m, "esc")
	dontWantScreen(t, m, "Weak")
	if m.password[0].Value() != "" || m.step != stepPassword {
		t.Fatal("esc on the warning did not start the password over")
	}
	typeText(t, m, "pw")
	press(t, m, "enter")
	typeText(t, m, "pw")
	press(t, m, "enter")
	wantScreen(t, m, "⚠ Weak: the password has only 2 characters; 8 or more are much harder to guess.")
	typeText(t, m, "x") // typing does nothing while the question is asked
	out := press(t, m, "enter")
	if len(src.creates) != 1 || src.creates[0].password != "pw" || len(out) != 1 {
		t.Fatalf("Create calls %+v, emitted %#v; want the confirmed weak password", src.creates, out)
	}
}

// cosigners returns the BIP48 p2wsh cosigner keys of three test seeds.
func cosigners(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, words := range []string{vectorAbout, vector12, vector24} {
		secret, err := keystore.NewSecret(words, "")
		if err != nil {
			t.Fatal(err)
		}
		s, err := keystore.NewSigner(secret, &chaincfg.RegressionNetParams)
		secret.Zero()
		if err != nil {
			t.Fatal(err)
		}
		k, err := core.CosignerKey(s, core.P2WSH, &chaincfg.RegressionNetParams, 0)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

// multisigDesc is a 2-of-3 sortedmulti of the test cosigners.
func multisigDesc(t *testing.T) string {
	k := cosigners(t)
	return "wsh(sortedmulti(2," + k[0] + "/<0;1>/*," + k[1] + "/<0;1>/*," + k[2] + "/<0;1>/*))"
}

func TestMultisig(t *testing.T) {
	src := &fakeSource{}
	m := newWizard(t, src, 120, 40)
	press(t, m, "j", "j", "j")
	wantScreen(t, m, "> Multisig: import a descriptor")
	press(t, m, "enter")
	wantScreen(t, m, "Multisig · import a descriptor")
	send(t, m, tea.PasteMsg{Content: descRegtest})
	wantScreen(t, m, "This is a single-key wallet, not a multisig")
	press(t, m, "ctrl+u")
	send(t, m, tea.PasteMsg{Content: tpubAbout})
	wantScreen(t, m, "That is a key, not a descriptor")
	press(t, m, "ctrl+u")
	desc := multisigDesc(t)
	send(t, m, tea.PasteMsg{Content: desc[:len(desc)-1]})
	wantScreen(t, m, "Expected ')'")
	send(t, m, tea.PasteMsg{Content: desc[len(desc)-1:]})
	wantScreen(t, m, "✓ 2-of-3 multisig, native SegWit p2wsh, sortedmulti: any 2 of the 3 cosigners sign", "Cosigner 1  [73c5da0a/48h/1h/0h/2h] tpub",
		"Receive and change addresses.")
	out := press(t, m, "enter")
	wantScreen(t, m, "Multisig · wallet birthday (optional)")
	out = append(out, press(t, m, "enter")...)
	if len(src.imports) != 1 || !slices.Equal(src.imports[0].descriptors, []string{desc}) {
		t.Fatalf("Import calls %+v, want the descriptor", src.imports)
	}
	if len(out) != 1 || out[0] != (DoneMsg{WatchOnly: true}) {
		t.Fatalf("emitted %#v, want DoneMsg{WatchOnly: true}", out)
	}
}

// TestNewViews are the goldens of the new steps at both sizes.
func TestNewViews(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*testing.T, *Model, *fakeSource)
	}{
		{"choice_multisig", func(t *testing.T, m *Model, _ *fakeSource) { press(t, m, "j", "j", "j") }},
		{"birthday_date", func(t *testing.T, m *Model, _ *fakeSource) {
			toBirthday(t, m)
			typeText(t, m, "2024-03-01")
		}},
		{"birthday_beyond_tip", func(t *testing.T, m *Model, _ *fakeSource) {
			toBirthday(t, m)
			typeText(t, m, "900000")
		}},
		{"restore_types", func(t *testing.T, m *Model, _ *fakeSource) {
			toBirthday(t, m)
			press(t, m, "enter")
		}},
		{"discover_progress", func(t *testing.T, m *Model, src *fakeSource) {
			block := make(chan struct{})
			t.Cleanup(func() { close(block) })
			src.discover = func(ctx context.Context, progress func(session.DiscoverProgress)) ([]core.ScriptUse, error) {
				progress(session.DiscoverProgress{Height: 61_234, Target: 870_000})
				<-block
				return nil, nil
			}
			cmd := toDiscovery(t, m)
			m.Update(discoverNews(t, cmd))
		}},
		{"discover_found", func(t *testing.T, m *Model, src *fakeSource) {
			src.discover = func(context.Context, func(session.DiscoverProgress)) ([]core.ScriptUse, error) {
				return usesOf(core.P2TR, core.P2SHP2WPKH), nil
			}
			run(t, m, toDiscovery(t, m))
		}},
		{"password_weak", func(t *testing.T, m *Model, _ *fakeSource) {
			toBirthday(t, m)
			press(t, m, "enter", "enter")
			typeText(t, m, "letmein")
			press(t, m, "enter")
			typeText(t, m, "letmein")
			press(t, m, "enter")
		}},
		{"multisig", func(t *testing.T, m *Model, _ *fakeSource) {
			press(t, m, "j", "j", "j", "enter")
			send(t, m, tea.PasteMsg{Content: multisigDesc(t)})
		}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s_%dx%d", tt.name, size[0], size[1]), func(t *testing.T) {
				src := &fakeSource{chain: ChainInfo{Online: true, Height: 870_000, Synced: true}}
				m := newWizard(t, src, size[0], size[1])
				tt.setup(t, m, src)
				v := m.View().Content
				tuitest.AssertFits(t, v, size[0], size[1])
				golden.RequireEqual(t, v)
			})
		}
	}
}
