package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestWithMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		name        string
		before      int64
		limit, want int64
	}{
		{"the default (no limit) is lowered to the limit while fn runs", math.MaxInt64, 150 << 20, 150 << 20},
		{"a smaller limit set by GOMEMLIMIT is kept", 100 << 20, 150 << 20, 100 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig := debug.SetMemoryLimit(tc.before)
			defer debug.SetMemoryLimit(orig)
			var during int64
			if err := withMemoryLimit(tc.limit, func() error {
				during = debug.SetMemoryLimit(-1)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if during != tc.want {
				t.Errorf("limit while fn ran = %d, want %d", during, tc.want)
			}
			if after := debug.SetMemoryLimit(-1); after != tc.before {
				t.Errorf("limit after = %d, want it set back to %d", after, tc.before)
			}
		})
	}
}
