package interop

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the folder of the JavaScript side (js/ next to this file).
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "js")
}

// Available reports why Node or the packages are missing, or "" when
// tests can run them.
func Available() string {
	if _, err := exec.LookPath("node"); err != nil {
		return "node is not installed"
	}
	// Every package of package.json, so that an install older than the
	// lock file says so rather than failing inside a script.
	data, err := os.ReadFile(filepath.Join(Dir(), "package.json"))
	if err != nil {
		return err.Error()
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return "js/package.json: " + err.Error()
	}
	for name := range pkg.Dependencies {
		if _, err := os.Stat(filepath.Join(Dir(), "node_modules", name, "package.json")); err != nil {
			return "the npm package " + name + " is not installed: run npm ci --prefix " + Dir()
		}
	}
	return ""
}

// Require skips the test when Node or the packages are missing, or fails
// it under CI=true, where .ci/run installs them.
func Require(t testing.TB) {
	t.Helper()
	why := Available()
	if why == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("interop test cannot run: %s", why)
	}
	t.Skipf("interop test skipped: %s", why)
}

// errorReply is how the scripts report a failure.
type errorReply struct {
	Error string `json:"error"`
}

// Node runs js/script with req as JSON on stdin and decodes its answer into
// resp. It returns the script's error message, or "" on success; a script
// that cannot run at all fails the test.
func Node(t testing.TB, script string, req, resp any) string {
	t.Helper()
	Require(t)
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(Dir(), script))
	cmd.Dir = Dir()
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var e errorReply
	if json.Unmarshal(stdout.Bytes(), &e) == nil && e.Error != "" {
		return e.Error
	}
	if runErr != nil {
		t.Fatalf("node %s: %v\n%s%s", script, runErr, stdout.String(),
			stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), resp); err != nil {
		t.Fatalf("node %s: cannot read its answer %q: %v", script,
			stdout.String(), err)
	}
	return ""
}
