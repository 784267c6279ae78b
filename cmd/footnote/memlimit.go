package main

import "runtime/debug"

// importMemoryLimit is the Go heap's soft limit while `footnote import` runs (unless
// GOMEMLIMIT asks for less). An import makes garbage fast (each article's term maps,
// vectors and encoded rows), and the default collector lets the heap grow to twice what is
// live, about 280 MB of RSS at 10k articles for 45-110 MB live; under the limit the
// collector runs more often as the heap nears it instead, which costs a little CPU (the
// runtime caps it) and keeps the process under 200 MB.
const importMemoryLimit = 150 << 20

// withMemoryLimit runs fn with the Go heap's soft limit at most limit, and sets it back to
// what it was after.
func withMemoryLimit(limit int64, fn func() error) error {
	was := debug.SetMemoryLimit(-1)
	if was <= limit {
		return fn()
	}
	debug.SetMemoryLimit(limit)
	defer debug.SetMemoryLimit(was)
	return fn()
}
