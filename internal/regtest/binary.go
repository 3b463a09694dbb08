package regtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// EnvBTCD names an environment variable that, when set, is the path of a
// btcd binary to use instead of the one pinned as a tool in go.mod.
const EnvBTCD = "SATCHEL_BTCD"

// buildTimeout bounds the first `go tool -n btcd`, which compiles btcd.
const buildTimeout = 5 * time.Minute

// btcdBinary caches the path of the btcd executable for the whole test
// process; mu guards path.
var btcdBinary struct {
	mu   sync.Mutex
	path string
}

// btcdPath returns the path of a btcd executable. The first call in a process
// asks the go command for the tool binary it caches (`go tool -n btcd`
// builds it when needed and prints its path in the build cache); later calls
// reuse the answer as long as the file still exists, since the build cache
// may be trimmed.
func btcdPath() (string, error) {
	if p := os.Getenv(EnvBTCD); p != "" {
		return p, nil
	}
	btcdBinary.mu.Lock()
	defer btcdBinary.mu.Unlock()
	if btcdBinary.path != "" {
		if _, err := os.Stat(btcdBinary.path); err == nil {
			return btcdBinary.path, nil
		}
	}
	p, err := resolveTool()
	if err != nil {
		return "", err
	}
	btcdBinary.path = p
	return p, nil
}

// resolveTool runs `go tool -n btcd` in the module root.
func resolveTool() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		if goroot := os.Getenv("GOROOT"); goroot != "" {
			goCmd = filepath.Join(goroot, "bin", "go")
		} else {
			return "", fmt.Errorf("find the go command to build btcd: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd, "tool", "-n", "btcd")
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go tool -n btcd in %s: %w: %s", root, err,
			strings.TrimSpace(stderr.String()))
	}
	p := strings.TrimSpace(stdout.String())
	if p == "" {
		return "", errors.New("go tool -n btcd printed no path")
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("go tool -n btcd printed %q: %w", p, err)
	}
	return p, nil
}

// moduleRoot walks up from the working directory (a test runs in its
// package's folder) to the folder holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; " +
				"run the tests inside the module or set " + EnvBTCD)
		}
		dir = parent
	}
}
