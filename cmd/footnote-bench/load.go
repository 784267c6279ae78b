package main

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// loadStats is the machine's 1-minute load average while something ran, sampled every
// loadEvery, and the share of time some task waited for a CPU (Linux's CPU pressure,
// avg10), when the kernel reports it.
type loadStats struct {
	Samples     int     `json:"samples"`
	Min         float64 `json:"min"`
	Mean        float64 `json:"mean"`
	Max         float64 `json:"max"`
	PressureMax float64 `json:"cpu_pressure_max_pct,omitempty"`
}

// loadEvery is how often the load is sampled: the load average itself moves over a minute,
// so finer samples add nothing.
const loadEvery = 5 * time.Second

// loadSampler samples the load average in the background until stop.
type loadSampler struct {
	mu     sync.Mutex
	s      loadStats
	sum    float64
	cancel context.CancelFunc
	done   chan struct{}
}

func startLoadSampler(ctx context.Context) *loadSampler {
	ctx, cancel := context.WithCancel(ctx)
	l := &loadSampler{cancel: cancel, done: make(chan struct{})}
	l.sample()
	go func() {
		defer close(l.done)
		t := time.NewTicker(loadEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				l.sample()
			}
		}
	}()
	return l
}

// stop ends the sampling, takes one last sample and returns the figures.
func (l *loadSampler) stop() loadStats {
	l.cancel()
	<-l.done
	l.sample()
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.s
	if s.Samples > 0 {
		s.Mean = l.sum / float64(s.Samples)
	}
	return s
}

func (l *loadSampler) sample() {
	load, ok := readLoadAvg()
	if !ok {
		return
	}
	pressure, _ := readCPUPressure()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.s.Samples == 0 || load < l.s.Min {
		l.s.Min = load
	}
	l.s.Max = max(l.s.Max, load)
	l.s.PressureMax = max(l.s.PressureMax, pressure)
	l.sum += load
	l.s.Samples++
}

// readLoadAvg returns the 1-minute load average from /proc/loadavg.
func readLoadAvg() (float64, bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, false
	}
	return parseLoadAvg(string(b))
}

func parseLoadAvg(s string) (float64, bool) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	return v, err == nil
}

// readCPUPressure returns the "some avg10" of /proc/pressure/cpu: the share of the last 10
// seconds in which some task waited for a CPU.
func readCPUPressure() (float64, bool) {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return 0, false
	}
	return parsePressure(string(b))
}

func parsePressure(s string) (float64, bool) {
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "some" {
			continue
		}
		for _, kv := range f[1:] {
			if v, ok := strings.CutPrefix(kv, "avg10="); ok {
				p, err := strconv.ParseFloat(v, 64)
				return p, err == nil
			}
		}
	}
	return 0, false
}

// machine is what the table says about where it was measured.
type machine struct {
	CPUs  int       `json:"cpus"`
	Model string    `json:"cpu_model,omitempty"`
	Date  string    `json:"date"`
	Load  loadStats `json:"load"`
}

func describeMachine(load loadStats) machine {
	m := machine{CPUs: runtime.NumCPU(), Date: time.Now().UTC().Format("2006-01-02"), Load: load}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}
