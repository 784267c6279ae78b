package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
)

// startProfiles writes a CPU profile of the whole process, and a heap profile when it ends,
// into the folder FOOTNOTE_PROFILE_DIR names (unset: nothing). It is for measuring the
// cost of a long command where it runs, e.g. an import inside make bench-scale, whose
// subprocesses inherit the variable: each file is named by the command and the process
// id, so runs side by side do not overwrite each other. The returned stop ends the CPU
// profile and writes the heap one; errors go to stderr and never stop the command.
func startProfiles(dir string, args []string) (stop func()) {
	if dir == "" {
		return func() {}
	}
	name := "footnote"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name = args[0]
	}
	base := filepath.Join(dir, fmt.Sprintf("%s-%d", name, os.Getpid()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "footnote: FOOTNOTE_PROFILE_DIR: %v\n", err)
		return func() {}
	}
	cpu, err := os.Create(base + ".cpu.pprof")
	if err == nil {
		err = pprof.StartCPUProfile(cpu)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "footnote: FOOTNOTE_PROFILE_DIR: cpu profile: %v\n", err)
		cpu = nil
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		heap, err := os.Create(base + ".heap.pprof")
		if err == nil {
			runtime.GC() // the live heap at the end, with the allocations of the whole run
			err = pprof.WriteHeapProfile(heap)
			heap.Close()
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "footnote: FOOTNOTE_PROFILE_DIR: heap profile: %v\n", err)
		}
	}
}
