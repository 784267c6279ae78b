package main

import (
	"os"
	"syscall"
)

// peakRSSKiB returns the peak resident set size of a finished process, in KiB (what
// /usr/bin/time -v calls "Maximum resident set size"), or 0 when it is not known.
func peakRSSKiB(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss // KiB on Linux
	}
	return 0
}
