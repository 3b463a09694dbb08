package animqr_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/satchelbtc/satchel/internal/vectors"
	"github.com/satchelbtc/satchel/tui/animqr"
	"github.com/satchelbtc/satchel/wallet/airgap"
	"github.com/satchelbtc/satchel/wallet/bbqr"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// largestBIP174 returns the largest valid PSBT of BIP174's vectors.
func largestBIP174(t *testing.T) []byte {
	var best []byte
	for _, b := range vectors.BIP174Valid(t) {
		if len(b) > len(best) {
			best = b
		}
	}
	return best
}

// The animated code of a real PSBT fits an 80×24 terminal at the sparser
// density, and a camera that catches its frames gets the PSBT back; the
// denser density needs fewer frames; the keys change speed and density.
func TestAnimatedQR(t *testing.T) {
	raw := largestBIP174(t)
	for name, src := range map[string]animqr.NewSource{
		"ur":   animqr.URSource(ur.NewPSBT(raw)),
		"bbqr": animqr.BBQrSource(raw, bbqr.PSBT),
	} {
		t.Run(name, func(t *testing.T) {
			m := animqr.New("PSBT", src)
			m.SetSize(80, 24)
			view := m.Render()
			lines := strings.Split(view, "\n")
			if len(lines) != 24 || strings.Contains(view, "enlarge") {
				t.Fatalf("%d lines in 80×24:\n%s", len(lines), view)
			}
			for i, l := range lines {
				if w := lipgloss.Width(l); w > 80 {
					t.Fatalf("line %d is %d cells wide", i, w)
				}
			}
			if !strings.Contains(view, "█") {
				t.Fatal("no QR code drawn")
			}
			sparse := scanFrames(t, m, raw)

			m.Update(tea.KeyPressMsg{Code: 'd', Text: "d"})
			if !strings.Contains(m.Status(), "denser") {
				t.Fatalf("d did not switch density: %s", m.Status())
			}
			if !strings.Contains(m.Render(), "enlarge the terminal") {
				t.Error("the denser code claims to fit 80×24")
			}
			m.SetSize(120, 50)
			if strings.Contains(m.Render(), "enlarge") {
				t.Error("the denser code does not fit 120×50")
			}
			if dense := scanFrames(t, m, raw); dense >= sparse {
				t.Errorf("denser needs %d frames, sparser %d", dense, sparse)
			}
			before := m.Status()
			m.Update(tea.KeyPressMsg{Code: '+', Text: "+"})
			if m.Status() == before {
				t.Error("+ did not change the speed")
			}
			m.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
			if !strings.Contains(m.Status(), "paused") {
				t.Error("space did not pause")
			}
		})
	}
}

// scanFrames plays m's frames to a decoder until it has the PSBT, and
// returns how many frames that took.
func scanFrames(t *testing.T, m *animqr.Model, want []byte) int {
	t.Helper()
	r := airgap.NewJoiner()
	for n := 1; n <= 500; n++ {
		if _, err := r.Add(m.Part()); err != nil {
			t.Fatal(err)
		}
		if r.Complete() {
			got, err := r.PSBT()
			if err != nil || string(got) != string(want) {
				t.Fatalf("scanned %x, %v", got, err)
			}
			return n
		}
		m.Step()
	}
	t.Fatal("500 frames did not carry the PSBT")
	return 0
}
