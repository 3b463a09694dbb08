package regtest

import "syscall"

// sysProcAttr asks the kernel to kill btcd if the test process dies without
// running its cleanups (a panic or `go test -timeout`). Strictly the signal
// follows the OS thread that started btcd, which the Go runtime keeps alive
// in practice.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
