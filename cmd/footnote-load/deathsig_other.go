//go:build !linux

package main

import "os/exec"

// setDeathSignal does nothing where the kernel has no parent-death signal: an interrupted
// run may leave footnote running there.
func setDeathSignal(*exec.Cmd) {}
