//go:build windows

package headerstore

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockFile takes a lock on one byte far past the end of f, so that it never
// gets in the way of reading or writing records, without waiting: exclusive
// or shared. busy reports that another process holds a conflicting lock.
func lockFile(f *os.File, exclusive bool) (busy bool, err error) {
	flags := uint32(windows.LOCKFILE_FAIL_IMMEDIATELY)
	if exclusive {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	err = windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, &windows.Overlapped{Offset: 0xFFFFFFFE, OffsetHigh: 0x7FFFFFFF})
	return errors.Is(err, windows.ERROR_LOCK_VIOLATION), err
}
