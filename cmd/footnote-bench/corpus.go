package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// parseSizes reads "10k,50k,1200" as article counts.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(strings.ToLower(f))
		mult := 1
		if strings.HasSuffix(f, "k") {
			f, mult = strings.TrimSuffix(f, "k"), 1000
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a size (want a count of articles such as 10k or 50000)", f)
		}
		out = append(out, n*mult)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no size given")
	}
	return out, nil
}

// sizeName is 10k for 10000, and the number itself when it is not a whole thousand.
func sizeName(n int) string {
	if n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// writeCorpus writes the corpus of n articles (besides the six squad-dev articles, which
// always come first) to path: the first n articles of the BBC set (all 2,225 of them from
// 2,225 on), then synthetic articles 0, 1, ... from the synth-corpus tool up to n. It
// returns the number of lines.
func writeCorpus(ctx context.Context, shared, path string, n int) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("write corpus: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	lines := 0
	copyLines := func(src string, limit int) error {
		in, err := os.Open(src)
		if err != nil {
			return err
		}
		defer in.Close()
		c, err := copyHead(w, in, limit)
		lines += c
		return err
	}
	err = copyLines(squadArticles(shared), -1)
	squad := lines
	if err == nil {
		err = copyLines(bbcArticles(shared), n)
	}
	if synth := n - (lines - squad); err == nil && synth > 0 {
		cmd := exec.CommandContext(ctx, filepath.Join(shared, "tools/synth-corpus"), "0", strconv.Itoa(synth))
		cmd.Stderr = os.Stderr
		var out io.ReadCloser
		if out, err = cmd.StdoutPipe(); err == nil {
			if err = cmd.Start(); err == nil {
				var c int
				c, err = copyHead(w, out, -1)
				lines += c
				if err != nil {
					// synth-corpus would block forever on a full pipe nobody reads, and
					// Wait would wait for it: stop it first.
					_ = cmd.Process.Kill()
				}
				if werr := cmd.Wait(); err == nil && werr != nil {
					err = fmt.Errorf("synth-corpus: %w", werr)
				}
			}
		}
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return lines, fmt.Errorf("write corpus: %w", err)
	}
	return lines, nil
}

// copyHead copies the first limit lines of r to w (every line when limit < 0), ending each
// with a newline, and returns how many it copied.
func copyHead(w io.Writer, r io.Reader, limit int) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	n := 0
	for (limit < 0 || n < limit) && sc.Scan() {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		if _, err := w.Write(append(sc.Bytes(), '\n')); err != nil {
			return n, err
		}
		n++
	}
	return n, sc.Err()
}
