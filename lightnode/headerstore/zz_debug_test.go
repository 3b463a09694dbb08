package headerstore

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
)

func TestZZMutate(t *testing.T) {
	src := chainPath(t)
	regtestChain(t, src, 20)
	valid, _ := os.ReadFile(src)
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 3000; iter++ {
		b := append([]byte(nil), valid...)
		n := 1 + rng.IntN(8)
		for j := 0; j < n; j++ {
			i := rng.IntN(len(b))
			b[i] = byte(rng.Uint32())
		}
		p := chainPath(t)
		os.MkdirAll(strings.TrimSuffix(p, "/chain.db"), 0o700)
		os.WriteFile(p, b, 0o600)
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				buf := make([]byte, 1<<16)
				n := runtime.Stack(buf, true)
				os.WriteFile("/tmp/hang.bin", b, 0o600)
				os.Stderr.Write(buf[:n])
				os.Exit(3)
			}
		}()
		s, err := Open(&Config{Path: p, Params: &chaincfg.RegressionNetParams, ReadOnly: true})
		if err == nil {
			s.Headers(0, 100)
			s.Locator()
			s.Close()
		}
		close(done)
		os.Remove(p)
	}
	_ = exec.Command
}

func zzWatch(done chan struct{}, b []byte) {
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		buf := make([]byte, 1<<16)
		n := runtime.Stack(buf, true)
		os.WriteFile("/tmp/hang.bin", b, 0o600)
		os.WriteFile("/tmp/hang.stack", buf[:n], 0o600)
		os.Exit(3)
	}
}
