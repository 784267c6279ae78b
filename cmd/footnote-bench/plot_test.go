package main

import (
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestNiceCeil(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.7: 1, 1: 1, 1.1: 2, 3: 5, 7: 10, 183750: 200000, 36000: 50000} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestAxes(t *testing.T) {
	a := newAxes(plotSeries(sampleReport()))
	if a.xMax != 200000 || a.yMin != 1 || a.yMax != 1000 {
		t.Fatalf("axes = %+v: want x to 200,000 passages, y from 1 to 1000 ms (decades around 2.1..203)", a)
	}
	if got, want := a.yTicks(), []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}; !reflect.DeepEqual(got, want) {
		t.Errorf("y ticks = %v, want %v", got, want)
	}
	x0, y0 := a.px(0, a.yMin)
	x1, y1 := a.px(a.xMax, a.yMax)
	if x0 != marginL || y0 != plotH-marginB || x1 != plotW-marginR || y1 != marginT {
		t.Errorf("the axes' corners are at (%d,%d) and (%d,%d), want the plot area's", x0, y0, x1, y1)
	}
	if _, y := a.px(0, 10); y != (2*y0+y1)/3 && y != (2*y0+y1)/3+1 {
		t.Errorf("10 ms is at y=%d, want a third of the way up a log axis from 1 to 1000 (%d)", y, (2*y0+y1)/3)
	}
}

func TestPlotSeries(t *testing.T) {
	rep := sampleReport()
	if ss := plotSeries(rep); len(ss) != 4 || ss[1].pts[1] != [2]float64{175004, 203} || ss[2].pts[0] != [2]float64{34512, 2.14} {
		t.Errorf("series = %+v: want footnote and Xapian p50 and p99 at each size's passages", ss)
	}
	for i := range rep.Sizes {
		rep.Sizes[i].Xapian = nil
	}
	if ss := plotSeries(rep); len(ss) != 2 {
		t.Errorf("without the anchor, %d series; want footnote's two", len(ss))
	}
}

func TestWritePlot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.png")
	rep := sampleReport()
	rep.Sizes[1].Xapian.Search.P99 = 20 // apart from footnote's p50 (41), so each point shows
	if err := writePlot(path, rep); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 100<<10 {
		t.Errorf("the plot has %d bytes; docs/ wants it under 100 KB", st.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the plot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != plotW || b.Dy() != plotH {
		t.Errorf("the plot is %v, want %dx%d", b, plotW, plotH)
	}
	a := newAxes(plotSeries(rep))
	for _, s := range plotSeries(rep) {
		for _, p := range s.pts {
			x, y := a.px(p[0], p[1])
			r, g, b, _ := img.At(x, y).RGBA()
			if uint8(r>>8) != s.col.R || uint8(g>>8) != s.col.G || uint8(b>>8) != s.col.B {
				t.Errorf("%s at %v passages: pixel (%d,%d) is not the series' colour", s.label, p[0], x, y)
			}
		}
	}
}
