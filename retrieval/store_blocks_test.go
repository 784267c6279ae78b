package retrieval

import (
	"math"
	"slices"
	"testing"
)

// unpacked decodes packed as a block of n postings starting at first.
func unpacked(first int64, n int, packed []byte) ([]int64, []int16, []int16, error) {
	ids, tfs, lens := make([]int64, n), make([]int16, n), make([]int16, n)
	err := unpackPostings(first, n, packed, ids, tfs, lens)
	return ids, tfs, lens, err
}

func TestPackPostingsRoundTrip(t *testing.T) {
	cases := []struct {
		name      string
		ids       []int64
		tfs, lens []int32
	}{
		{"one posting", []int64{42}, []int32{1}, []int32{17}},
		{"dense ids, small values", []int64{1, 2, 3, 4, 5}, []int32{1, 2, 1, 3, 1}, []int32{50, 60, 70, 80, 90}},
		{"gaps past 2^32 and ids near the top of bigint",
			[]int64{7, 7 + 1<<33, 1 << 62, math.MaxInt64 - 1, math.MaxInt64}, []int32{1, 1, 1, 1, 1}, []int32{1, 1, 1, 1, 1}},
		{"tf and length at their bounds (0 and 32767), and at varint byte edges",
			[]int64{100, 101, 102, 103, 104}, []int32{0, 127, 128, 16383, 32767}, []int32{32767, 16384, 0, 127, 128}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			packed, err := packPostings(nil, c.ids[0], c.ids, c.tfs, c.lens)
			if err != nil {
				t.Fatal(err)
			}
			ids, tfs, lens, err := unpacked(c.ids[0], len(c.ids), packed)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids, c.ids) {
				t.Errorf("ids %v, want %v", ids, c.ids)
			}
			for i := range c.ids {
				if int32(tfs[i]) != c.tfs[i] || int32(lens[i]) != c.lens[i] {
					t.Errorf("posting %d: tf %d length %d, want %d %d", i, tfs[i], lens[i], c.tfs[i], c.lens[i])
				}
			}
		})
	}

	t.Run("a block's first posting packs as a delta of 0, three bytes for small values", func(t *testing.T) {
		packed, err := packPostings(nil, 1000, []int64{1000}, []int32{2}, []int32{3})
		if err != nil || !slices.Equal(packed, []byte{0, 2, 3}) {
			t.Errorf("packed %v, %v; want [0 2 3]", packed, err)
		}
	})
	t.Run("postings packed after a block's last id append to it", func(t *testing.T) {
		head, _ := packPostings(nil, 10, []int64{10, 20}, []int32{1, 2}, []int32{5, 6})
		tail, err := packPostings(nil, 20, []int64{300, 70000}, []int32{3, 4}, []int32{7, 8})
		if err != nil {
			t.Fatal(err)
		}
		ids, tfs, _, err := unpacked(10, 4, append(head, tail...))
		if err != nil || !slices.Equal(ids, []int64{10, 20, 300, 70000}) || !slices.Equal(tfs, []int16{1, 2, 3, 4}) {
			t.Errorf("ids %v tfs %v, %v", ids, tfs, err)
		}
	})
	t.Run("packing refuses what it could not give back", func(t *testing.T) {
		bad := []struct {
			name      string
			ids       []int64
			tfs, lens []int32
		}{
			{"descending ids", []int64{5, 4}, []int32{1, 1}, []int32{1, 1}},
			{"tf over 32767", []int64{5}, []int32{32768}, []int32{1}},
			{"negative length", []int64{5}, []int32{1}, []int32{-1}},
			{"arrays of different lengths", []int64{5, 6}, []int32{1}, []int32{1, 1}},
		}
		for _, b := range bad {
			if _, err := packPostings(nil, b.ids[0], b.ids, b.tfs, b.lens); err == nil {
				t.Errorf("%s: packed", b.name)
			}
		}
	})
	t.Run("a corrupt block is an error, not wrong postings", func(t *testing.T) {
		packed, _ := packPostings(nil, 1, []int64{1, 1000}, []int32{1, 1}, []int32{300, 300})
		if _, _, _, err := unpacked(1, 2, packed[:len(packed)-1]); err == nil {
			t.Error("a block cut inside a varint unpacked")
		}
		if _, _, _, err := unpacked(1, 1, packed); err == nil {
			t.Error("a block holding more postings than n unpacked")
		}
		if _, _, _, err := unpacked(1, 3, packed); err == nil {
			t.Error("a block holding fewer postings than n unpacked")
		}
		big := []byte{0, 0x80, 0x80, 0x02, 1} // tf 32768
		if _, _, _, err := unpacked(1, 1, big); err == nil {
			t.Error("a tf over 32767 unpacked")
		}
		over := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 1} // delta 2^63-1 from 1
		if _, _, _, err := unpacked(1, 1, over); err == nil {
			t.Error("an id past bigint unpacked")
		}
	})
}

func BenchmarkUnpackPostings(b *testing.B) {
	ids, tfs, lens := make([]int64, blockSize), make([]int32, blockSize), make([]int32, blockSize)
	for i := range ids {
		ids[i], tfs[i], lens[i] = int64(1000+i*37), int32(1+i%3), int32(80+i%200)
	}
	packed, _ := packPostings(nil, ids[0], ids, tfs, lens)
	oi, ot, ol := make([]int64, blockSize), make([]int16, blockSize), make([]int16, blockSize)
	b.ReportAllocs()
	for b.Loop() {
		if err := unpackPostings(ids[0], blockSize, packed, oi, ot, ol); err != nil {
			b.Fatal(err)
		}
	}
}
