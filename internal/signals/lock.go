package signals

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ErrLocked means another capwatch is recording the same signal log: this
// one records nothing (two writers would write every line twice).
var ErrLocked = errors.New("another capwatch is recording this signal log")

// LockedError says which log is locked and, when known, by which process.
type LockedError struct {
	Path string
	PID  int // 0 when unknown
}

func (e *LockedError) Error() string {
	who := "another capwatch"
	if e.PID > 0 {
		who += " (pid " + strconv.Itoa(e.PID) + ")"
	}
	return fmt.Sprintf("signals: %s is being recorded by %s", e.Path, who)
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// lock takes the log's lock file (path.lock, beside the log, so it survives
// rotation): an exclusive lock held until Close, released by the operating
// system if the process dies. The holder's pid is written into it, for the
// message the next one shows.
func lock(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("signals: open lock file: %w", err)
	}
	if err := lockFile(f); err != nil {
		pid := 0
		if errors.Is(err, errWouldBlock) {
			b, _ := io.ReadAll(io.LimitReader(f, 32))
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, &LockedError{Path: path, PID: pid}
		}
		return nil, fmt.Errorf("signals: lock %s: %w", path+".lock", err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// Holder reports whether a capwatch records the log at path (holds its
// lock), and which (pid, 0 when unknown), without writing anything: the
// lock file is not created, and taken only for the instant of the test. A
// dashboard starting at that very instant finds the log locked and takes
// it over a few seconds later.
func Holder(path string) (pid int, held bool, err error) {
	f, err := os.OpenFile(path+".lock", os.O_RDONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("signals: open lock file: %w", err)
	}
	defer f.Close()
	switch err := lockFile(f); {
	case err == nil:
		return 0, false, nil // closing f releases it
	case errors.Is(err, errWouldBlock):
		b, _ := io.ReadAll(io.LimitReader(f, 32))
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return pid, true, nil
	default:
		return 0, false, fmt.Errorf("signals: test the lock of %s: %w", path, err)
	}
}

// errWouldBlock is what lockFile returns when another process holds the lock.
var errWouldBlock = errors.New("lock held elsewhere")
