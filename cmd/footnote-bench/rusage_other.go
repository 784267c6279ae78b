//go:build !linux

package main

import "os"

// peakRSSKiB is 0 where the bench does not know how the kernel reports it.
func peakRSSKiB(*os.ProcessState) int64 { return 0 }
