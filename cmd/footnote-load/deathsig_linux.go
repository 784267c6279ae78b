package main

import (
	"os/exec"
	"syscall"
)

// setDeathSignal has the kernel kill footnote when the driver dies, so that an interrupted
// run leaves no server behind.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
