//go:build windows

package regtest

import "syscall"

// detachedProcAttr has nothing to add on Windows, where a child outlives
// its parent anyway.
func detachedProcAttr() *syscall.SysProcAttr { return nil }

// lockDir does not lock on Windows: run one benchmark process at a time.
func lockDir(string) (unlock func(), err error) { return func() {}, nil }

// killIfOurs leaves the process to the stop RPC on Windows.
func killIfOurs(int, string) {}
