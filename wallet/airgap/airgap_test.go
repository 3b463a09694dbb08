package airgap_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/satchelbtc/satchel/internal/vectors"
	"github.com/satchelbtc/satchel/wallet/airgap"
	"github.com/satchelbtc/satchel/wallet/bbqr"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// Parts of either format, shuffled and repeated, give the PSBT back; the
// progress line moves with each new part and not with a repeat.
func TestReadParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i, raw := range vectors.BIP174Valid(t) {
		e, err := ur.NewEncoder(ur.NewPSBT(raw), 40)
		if err != nil {
			t.Fatal(err)
		}
		urParts := make([]string, e.SeqLen()*2)
		for k := range urParts {
			urParts[k] = e.NextPart()
		}
		s, err := bbqr.Split(raw, bbqr.PSBT, bbqr.WithVersions(1, 5))
		if err != nil {
			t.Fatal(err)
		}
		for name, parts := range map[string][]string{"ur": urParts, "bbqr": s.Parts} {
			mixed := append(append([]string(nil), parts...), parts[0], parts[len(parts)-1])
			rng.Shuffle(len(mixed), func(a, b int) { mixed[a], mixed[b] = mixed[b], mixed[a] })
			var progress []string
			j, err := airgap.ReadParts(strings.NewReader("\n"+strings.Join(mixed, "\n")+"\n"),
				func(p string) { progress = append(progress, p) })
			if err != nil {
				t.Fatalf("psbt %d %s: %v", i, name, err)
			}
			got, err := j.PSBT()
			if err != nil || !bytes.Equal(got, raw) {
				t.Fatalf("psbt %d %s: got %x, %v", i, name, got, err)
			}
			for k := 1; k < len(progress); k++ {
				if progress[k] == progress[k-1] && name == "bbqr" {
					t.Errorf("psbt %d %s: progress repeated %q", i, name, progress[k])
				}
			}
		}
	}
}

// Bad input gets one clear error: nothing, garbage, mixed formats, a
// series cut short, a BBQr series that is not a PSBT.
func TestReadPartsRefuses(t *testing.T) {
	raw := vectors.BIP174Valid(t)[0]
	s, err := bbqr.Split(raw, bbqr.PSBT, bbqr.WithVersions(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Parts) < 2 {
		t.Fatalf("%d BBQr parts; the test needs several", len(s.Parts))
	}
	u, err := ur.NewEncoder(ur.NewPSBT(raw), 1000)
	if err != nil {
		t.Fatal(err)
	}
	text, err := bbqr.Split([]byte("hello"), bbqr.Unicode)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, in, want string
	}{
		{"empty", "\n\n", "no UR or BBQr parts"},
		{"garbage", "cHNidP8BAHUCAAAAAS\n", "neither a UR"},
		{"mixed", s.Parts[0] + "\n" + u.NextPart() + "\n", "a UR part among BBQr parts"},
		{"short", s.Parts[0] + "\n", "the parts are incomplete"},
	} {
		_, err := airgap.ReadParts(strings.NewReader(c.in), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", c.name, err, c.want)
		}
	}
	if _, err := airgap.ReadParts(strings.NewReader(s.Parts[0]), nil); !errors.Is(err, airgap.ErrIncomplete) {
		t.Errorf("a cut series: %v", err)
	}
	j, err := airgap.ReadParts(strings.NewReader(strings.Join(text.Parts, "\n")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.PSBT(); err == nil || !strings.Contains(err.Error(), "not a PSBT") {
		t.Errorf("a text series read as a PSBT: %v", err)
	}
	if j.UR() != nil {
		t.Error("a BBQr series has a UR")
	}
}
