package main

import "testing"

func TestParseLoadAvg(t *testing.T) {
	if v, ok := parseLoadAvg("2.63 4.13 8.39 3/160 18878\n"); !ok || v != 2.63 {
		t.Errorf("parseLoadAvg = %v, %v; want the 1-minute average 2.63", v, ok)
	}
	if _, ok := parseLoadAvg(""); ok {
		t.Error("an empty loadavg was read")
	}
}

func TestParsePressure(t *testing.T) {
	in := "some avg10=57.31 avg60=40.02 avg300=35.00 total=123\nfull avg10=1.00 avg60=0.00 avg300=0.00 total=0\n"
	if v, ok := parsePressure(in); !ok || v != 57.31 {
		t.Errorf("parsePressure = %v, %v; want some avg10 57.31", v, ok)
	}
	if _, ok := parsePressure("full avg10=1.00\n"); ok {
		t.Error("a pressure file without a some line was read")
	}
}

func TestLoadSamplerTakesSamples(t *testing.T) {
	l := startLoadSampler(t.Context())
	s := l.stop()
	if _, ok := readLoadAvg(); !ok {
		if s.Samples != 0 {
			t.Errorf("no /proc/loadavg here, yet %d samples", s.Samples)
		}
		return
	}
	if s.Samples < 2 || s.Min > s.Max || s.Mean < s.Min || s.Mean > s.Max {
		t.Errorf("load = %+v: want a sample at start and at stop, min <= mean <= max", s)
	}
}
