package bot

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Progress lines for long jobs, the same in a Discord message and on a terminal:
//
//	▰▰▰▱▱▱▱▱▱▱ 1,234 / 5,000 passages · 210/s · about 18 s left
//	▰▰▰▰▰▰▰▰▰▰ 5,000 passages in 24 s · 208/s
//
// In Discord they are in the language of who asked (progressLine, progressDoneLine):
// their words, and the digit grouping and decimal mark of the numbers; the units are SI's
// in every language. The terminal's (ProgressLine, ProgressDoneLine) are English.

const (
	// barCells is the bar's width: ten cells show tenths, which is all a glance takes in,
	// and keep the line short enough for a phone.
	barCells = 10
	// settleTime is how long a job runs before its rate and time left are shown: over the
	// first second or so they swing too much to mean anything.
	settleTime = time.Second
)

// ProgressLine renders a job's progress in English: a bar, done of total things named by
// noun (singular: "passage"), the rate since the job started elapsed ago, and about how
// long is left at that rate. The rate and the time left appear once something is done
// and settleTime has passed; with no total (0) there is no bar or time left.
func ProgressLine(done, total int, noun string, elapsed time.Duration) string {
	return progressLineIn("", done, total, elapsed, englishCount(noun))
}

// ProgressDoneLine renders the end of a job in English: a full bar, how many things were
// done, the time taken and the rate.
func ProgressDoneLine(done int, noun string, took time.Duration) string {
	return progressDoneLineIn("", done, took, englishCount(noun))
}

// progressLine is ProgressLine for passages, in language l.
func progressLine(l lang, done, total int, elapsed time.Duration) string {
	return progressLineIn(l, done, total, elapsed, l.passageCount)
}

// progressDoneLine is ProgressDoneLine for passages, in language l.
func progressDoneLine(l lang, done int, took time.Duration) string {
	return progressDoneLineIn(l, done, took, l.passageCount)
}

// counter names a count of things: numbers ("1,234", "1,234 / 5,000") followed by the
// thing's name in the form that n takes.
type counter func(n int, numbers string) string

// englishCount counts things named noun in English: singular for one, else noun+"s".
func englishCount(noun string) counter {
	return func(n int, numbers string) string { return numbers + " " + nounFor(n, noun) }
}

// passageCount counts passages in language l.
func (l lang) passageCount(n int, numbers string) string {
	return l.trn(n, "%s passage", "%s passages", numbers)
}

func progressLineIn(l lang, done, total int, elapsed time.Duration, count counter) string {
	var sb strings.Builder
	if total > 0 {
		sb.WriteString(bar(float64(done)/float64(total)) + " ")
		sb.WriteString(count(total, l.number(done)+" / "+l.number(total)))
	} else {
		sb.WriteString(count(done, l.number(done)))
	}
	if done <= 0 || elapsed < settleTime {
		return sb.String()
	}
	rate := float64(done) / elapsed.Seconds()
	sb.WriteString(" · " + rateText(l, rate))
	if total > done {
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		sb.WriteString(" · " + l.trf("about %s left", approxDuration(l, left)))
	}
	return sb.String()
}

func progressDoneLineIn(l lang, done int, took time.Duration, count counter) string {
	s := bar(1) + " " + l.trf("%[1]s in %[2]s", count(done, l.number(done)), exactDuration(l, took))
	if done > 0 && took >= settleTime {
		s += " · " + rateText(l, float64(done)/took.Seconds())
	}
	return s
}

// bar is barCells cells, the share (clamped to 0..1) of them full.
func bar(share float64) string {
	full := int(math.Floor(min(max(share, 0), 1) * barCells))
	return strings.Repeat("▰", full) + strings.Repeat("▱", barCells-full)
}

// nounFor is noun, plural unless n is 1.
func nounFor(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// rateText is a rate per second in language l: whole numbers from 10 up, one decimal
// below.
func rateText(l lang, perSecond float64) string {
	if perSecond >= 10 {
		return l.number(int(math.Round(perSecond))) + "/s"
	}
	return l.decimal(perSecond, 1) + "/s"
}

// approxDuration is an estimate, rounded as a person would say it: "18 s", "3 min",
// "1 h 20 min".
func approxDuration(l lang, d time.Duration) string {
	switch {
	case d < 90*time.Second:
		return fmt.Sprintf("%s s", l.number(max(int(math.Round(d.Seconds())), 1)))
	case d < 90*time.Minute:
		return fmt.Sprintf("%s min", l.number(int(math.Round(d.Minutes()))))
	}
	h := int(d / time.Hour)
	m := int(math.Round((d - time.Duration(h)*time.Hour).Minutes()))
	if m == 60 {
		h, m = h+1, 0
	}
	return fmt.Sprintf("%s h %d min", l.number(h), m)
}

// exactDuration is a measured time in language l: "35 ms", "0.4 s", "4.2 s", "24 s",
// "1 min 12 s", "2 h 5 min".
func exactDuration(l lang, d time.Duration) string {
	switch {
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < 10*time.Second:
		return l.decimal(d.Seconds(), 1) + " s"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Round(time.Second).Seconds()))
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%d min %d s", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%s h %d min", l.number(int(d/time.Hour)), int(d%time.Hour/time.Minute))
}
