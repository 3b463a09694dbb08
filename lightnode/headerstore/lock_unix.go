//go:build unix

package headerstore

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an advisory lock on f without waiting: exclusive or
// shared. busy reports that another process holds a conflicting lock.
func lockFile(f *os.File, exclusive bool) (busy bool, err error) {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
	return errors.Is(err, syscall.EWOULDBLOCK), err
}
