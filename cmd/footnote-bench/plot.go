package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The plot: search p50 and p99 (log scale) against passages, for footnote and the Xapian
// anchor. Drawn with the standard library and x/image's bitmap font rather than a plotting
// library: four lines and their labels do not need one.
const (
	plotW, plotH                       = 760, 460
	marginL, marginR, marginT, marginB = 64, 24, 44, 52
)

var (
	colWhite    = color.RGBA{255, 255, 255, 255}
	colInk      = color.RGBA{40, 40, 40, 255}
	colGrid     = color.RGBA{225, 225, 225, 255}
	colFootnote = color.RGBA{31, 119, 180, 255}
	colXapian   = color.RGBA{230, 120, 20, 255}
)

// series is one line of the plot.
type series struct {
	label  string
	col    color.RGBA
	dashed bool
	pts    [][2]float64 // passages, ms
}

// plotSeries turns the report into the plot's four lines (two without the anchor).
func plotSeries(rep report) []series {
	fp50 := series{label: "footnote p50", col: colFootnote}
	fp99 := series{label: "footnote p99", col: colFootnote, dashed: true}
	xp50 := series{label: "Xapian BM25 p50", col: colXapian}
	xp99 := series{label: "Xapian BM25 p99", col: colXapian, dashed: true}
	for _, r := range rep.Sizes {
		p := float64(r.Passages)
		fp50.pts = append(fp50.pts, [2]float64{p, r.Search.P50})
		fp99.pts = append(fp99.pts, [2]float64{p, r.Search.P99})
		if r.Xapian != nil {
			xp50.pts = append(xp50.pts, [2]float64{p, r.Xapian.Search.P50})
			xp99.pts = append(xp99.pts, [2]float64{p, r.Xapian.Search.P99})
		}
	}
	out := []series{fp50, fp99}
	if len(xp50.pts) > 0 {
		out = append(out, xp50, xp99)
	}
	return out
}

// axes maps data to pixels: x linear from 0 to xMax passages, y logarithmic from yMin to
// yMax milliseconds.
type axes struct {
	xMax, yMin, yMax float64
}

func newAxes(ss []series) axes {
	a := axes{yMin: math.Inf(1)}
	for _, s := range ss {
		for _, p := range s.pts {
			a.xMax = max(a.xMax, p[0])
			a.yMin, a.yMax = min(a.yMin, max(p[1], 0.1)), max(a.yMax, max(p[1], 0.1))
		}
	}
	if a.xMax == 0 {
		a.xMax, a.yMin, a.yMax = 1, 1, 10
	}
	a.xMax = niceCeil(a.xMax * 1.05)
	a.yMin = math.Pow(10, math.Floor(math.Log10(a.yMin)))
	a.yMax = math.Pow(10, math.Ceil(math.Log10(a.yMax)))
	if a.yMax <= a.yMin {
		a.yMax = a.yMin * 10
	}
	return a
}

func (a axes) px(x, y float64) (int, int) {
	fx := x / a.xMax
	fy := (math.Log10(max(y, 1e-9)) - math.Log10(a.yMin)) / (math.Log10(a.yMax) - math.Log10(a.yMin))
	return marginL + int(math.Round(fx*float64(plotW-marginL-marginR))),
		plotH - marginB - int(math.Round(fy*float64(plotH-marginT-marginB)))
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// yTicks are the 1, 2 and 5 of every decade between the axis' ends.
func (a axes) yTicks() []float64 {
	var out []float64
	for d := a.yMin; d < a.yMax*1.001; d *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := d * m; v <= a.yMax*1.001 {
				out = append(out, v)
			}
		}
	}
	return out
}

// writePlot draws the report's latencies to a PNG at path.
func writePlot(path string, rep report) error {
	img := drawPlot(rep)
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write plot: %w", err)
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("write plot: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write plot: %w", err)
	}
	return nil
}

func drawPlot(rep report) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, plotW, plotH))
	fill(img, img.Bounds(), colWhite)
	ss := plotSeries(rep)
	a := newAxes(ss)
	x0, y0 := a.px(0, a.yMin)
	x1, y1 := a.px(a.xMax, a.yMax)
	for _, t := range a.yTicks() {
		_, y := a.px(0, t)
		hline(img, x0, x1, y, colGrid)
		label(img, x0-6-textWidth(fmtTick(t)), y+4, fmtTick(t), colInk)
	}
	for i := 0; i <= 5; i++ {
		v := a.xMax * float64(i) / 5
		x, _ := a.px(v, a.yMin)
		vline(img, x, y1, y0, colGrid)
		s := fmtTick(v/1000) + "k"
		if v == 0 {
			s = "0"
		}
		label(img, x-textWidth(s)/2, y0+16, s, colInk)
	}
	hline(img, x0, x1, y0, colInk)
	vline(img, x0, y1, y0, colInk)
	label(img, marginL, 18, fmt.Sprintf("footnote search against Xapian BM25, one stream, warm cache (%d cores, shared)", rep.Machine.CPUs), colInk)
	label(img, 6, marginT-8, "ms (log)", colInk)
	label(img, (x0+x1)/2-textWidth("passages")/2, plotH-12, "passages", colInk)
	for i, s := range ss {
		for j := 1; j < len(s.pts); j++ {
			ax, ay := a.px(s.pts[j-1][0], s.pts[j-1][1])
			bx, by := a.px(s.pts[j][0], s.pts[j][1])
			line(img, ax, ay, bx, by, s.col, s.dashed)
		}
		for j, p := range s.pts {
			x, y := a.px(p[0], p[1])
			fill(img, image.Rect(x-3, y-3, x+4, y+4), s.col)
			// The value beside its point: left of the first, where no line leaves it, right of
			// the others, where the line from the left arrives.
			lx := x + 7
			if j == 0 && len(s.pts) > 1 {
				lx = x - 7 - textWidth(ms(p[1]))
			}
			label(img, lx, y+4, ms(p[1]), s.col)
		}
		ly := marginT + 10 + 16*i
		line(img, x0+12, ly, x0+40, ly, s.col, s.dashed)
		label(img, x0+48, ly+4, s.label, colInk)
	}
	return img
}

func fmtTick(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

func hline(img *image.RGBA, xa, xb, y int, c color.RGBA) { fill(img, image.Rect(xa, y, xb+1, y+1), c) }
func vline(img *image.RGBA, x, ya, yb int, c color.RGBA) { fill(img, image.Rect(x, ya, x+1, yb+1), c) }

// line draws a 2-pixel line from (ax, ay) to (bx, by), in 8-pixel dashes when dashed.
func line(img *image.RGBA, ax, ay, bx, by int, c color.RGBA, dashed bool) {
	n := max(abs(bx-ax), abs(by-ay), 1)
	for i := 0; i <= n; i++ {
		if dashed && (i/8)%2 == 1 {
			continue
		}
		x := ax + (bx-ax)*i/n
		y := ay + (by-ay)*i/n
		fill(img, image.Rect(x, y, x+2, y+2), c)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func textWidth(s string) int { return font.MeasureString(basicfont.Face7x13, s).Round() }

func label(img *image.RGBA, x, y int, s string, c color.RGBA) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
