package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestProfilesAreWrittenOnlyWhenAFolderIsNamed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "made") // created when missing
	stop := startProfiles(dir, []string{"import", "--collection", "x"})
	work := 0
	for i := range 1_000_000 {
		work += i % 7
	}
	_ = work
	stop()
	for _, name := range []string{".cpu.pprof", ".heap.pprof"} {
		matches, _ := filepath.Glob(filepath.Join(dir, "import-*"+name))
		if len(matches) != 1 {
			t.Fatalf("%s: files %v, want one named after the command", name, matches)
		}
		if fi, err := os.Stat(matches[0]); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v, size %v: want a non-empty profile", matches[0], err, fi)
		}
	}
	startProfiles("", []string{"import"})() // nothing to write, nothing written
}
