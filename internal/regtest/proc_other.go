//go:build !linux

package regtest

import "syscall"

// sysProcAttr has nothing to add outside Linux; cleanups stop btcd.
func sysProcAttr() *syscall.SysProcAttr { return nil }
