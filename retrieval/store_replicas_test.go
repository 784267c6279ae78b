package retrieval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseLSN(t *testing.T) {
	tests := []struct {
		name, in string
		want     lsn
		wantErr  bool
	}{
		{name: "the two halves make one 64-bit position", in: "16/B374D848", want: 0x16_B374D848},
		{name: "the start of the WAL is zero", in: "0/0", want: 0},
		{name: "a position without a slash is refused", in: "B374D848", wantErr: true},
		{name: "a half that is not hexadecimal is refused", in: "16/XYZ", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseLSN(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseLSN(%q) = %#x, %v; want %#x, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// replicaAt is a replica whose last check, just now, found st: pick uses it as it is.
func replicaAt(name string, st replicaState) *replica {
	r := &replica{name: name}
	st.at = time.Now()
	r.state.Store(&st)
	return r
}

func TestPickReplica(t *testing.T) {
	up := replicaState{replay: 100}
	tests := []struct {
		name       string
		replicas   []replicaState
		written    map[string]writeMark // this process's writes
		coll       string
		want       int // index of the replica picked; -1 for the primary
		wantReason string
	}{
		{name: "a replica that is up and close behind serves the read", replicas: []replicaState{up},
			coll: "a", want: 0, wantReason: "ok"},
		{name: "a replica that is down is skipped for the primary",
			replicas: []replicaState{{err: errors.New("connection refused")}}, coll: "a", want: -1, wantReason: "down"},
		{name: "a replica further behind than maxReplicaLag is skipped for the primary",
			replicas: []replicaState{{replay: 100, lag: maxReplicaLag + time.Second}}, coll: "a", want: -1, wantReason: "lagging"},
		{name: "a replica exactly maxReplicaLag behind still serves",
			replicas: []replicaState{{replay: 100, lag: maxReplicaLag}}, coll: "a", want: 0, wantReason: "ok"},
		{name: "a replica that has not replayed this process's last write to the collection is skipped",
			replicas: []replicaState{up}, written: map[string]writeMark{"a": {pos: 101}}, coll: "a", want: -1, wantReason: "own_write"},
		{name: "a replica that has replayed the write serves the writer's reads",
			replicas: []replicaState{up}, written: map[string]writeMark{"a": {pos: 100}}, coll: "a", want: 0, wantReason: "ok"},
		{name: "a write to another collection does not hold the replica back",
			replicas: []replicaState{up}, written: map[string]writeMark{"b": {pos: 500}}, coll: "a", want: 0, wantReason: "ok"},
		{name: "a write spanning collections holds back the reads of each",
			replicas: []replicaState{up}, written: map[string]writeMark{"": {pos: 500}}, coll: "a", want: -1, wantReason: "own_write"},
		{name: "a write whose position is unknown keeps the collection's reads on the primary",
			replicas: []replicaState{up}, written: map[string]writeMark{"a": {pos: unknownLSN, at: time.Now()}}, coll: "a", want: -1, wantReason: "own_write"},
		{name: "a write whose position is unknown stops mattering after maxReplicaLag",
			replicas: []replicaState{up}, written: map[string]writeMark{"a": {pos: unknownLSN, at: time.Now().Add(-maxReplicaLag - time.Second)}},
			coll: "a", want: 0, wantReason: "ok"},
		{name: "a down replica is passed over for one that is up",
			replicas: []replicaState{{err: errors.New("down")}, up}, coll: "a", want: 1, wantReason: "ok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := newReplicas(nil)
			for i, st := range tc.replicas {
				rs.list = append(rs.list, replicaAt(string(rune('A'+i)), st))
			}
			for k, m := range tc.written {
				rs.written[k] = m
			}
			for range len(rs.list) { // whichever replica round robin starts at
				r, reason := rs.pick(context.Background(), tc.coll)
				want := (*replica)(nil)
				if tc.want >= 0 {
					want = rs.list[tc.want]
				}
				if r != want || reason != tc.wantReason {
					t.Fatalf("pick = %v, %q; want %v, %q", r, reason, want, tc.wantReason)
				}
			}
		})
	}
}

func TestPickSpreadsReadsOverReplicas(t *testing.T) {
	rs := newReplicas(nil)
	rs.list = []*replica{replicaAt("A", replicaState{}), replicaAt("B", replicaState{})}
	seen := map[*replica]int{}
	for range 4 {
		r, _ := rs.pick(context.Background(), "a")
		seen[r]++
	}
	if seen[rs.list[0]] != 2 || seen[rs.list[1]] != 2 {
		t.Errorf("4 reads went %d and %d to the two replicas, want 2 each", seen[rs.list[0]], seen[rs.list[1]])
	}
}

// A replica's state is checked every replicaCheckEvery: the log says when it stops and
// starts serving, once each, not at every check.
func TestReplicaChangesAreLoggedOnce(t *testing.T) {
	var buf bytes.Buffer
	rs := newReplicas(slog.New(slog.NewTextHandler(&buf, nil)))
	r := replicaAt("replica:5433/footnote", replicaState{})
	ctx := context.Background()
	for _, st := range []replicaState{
		{err: errors.New("connection refused")}, {err: errors.New("connection refused")},
		{}, {},
		{lag: maxReplicaLag + time.Second}, {lag: maxReplicaLag + 2*time.Second},
	} {
		rs.store(ctx, r, &st)
	}
	log := buf.String()
	for _, want := range []string{"read replica is down", "read replica serves reads again", "read replica is lagging"} {
		if n := strings.Count(log, want); n != 1 {
			t.Errorf("%q logged %d times, want once; the log:\n%s", want, n, log)
		}
	}
}

// A process written to by many collections keeps only the marks that can still hold a read
// back: those no replica has replayed and that are younger than markKeep.
func TestWriteMarksArePruned(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name     string
		replicas []replicaState
		marks    map[string]writeMark
		want     []string // marks left
	}{
		{name: "marks every replica has replayed go; the rest stay",
			replicas: []replicaState{{replay: 100}, {replay: 150}},
			marks:    map[string]writeMark{"a": {pos: 90, at: now}, "b": {pos: 100, at: now}, "c": {pos: 120, at: now}, "": {pos: 101, at: now}},
			want:     []string{"", "c"}},
		{name: "a replica that is down keeps every recent mark: it may come back behind them",
			replicas: []replicaState{{replay: 100}, {err: errors.New("down")}},
			marks:    map[string]writeMark{"a": {pos: 90, at: now}, "b": {pos: 120, at: now}},
			want:     []string{"a", "b"}},
		{name: "marks older than markKeep go whatever the replicas",
			replicas: []replicaState{{err: errors.New("down")}},
			marks: map[string]writeMark{"old": {pos: 500, at: now.Add(-markKeep - time.Second)}, "unknown": {pos: unknownLSN, at: now.Add(-markKeep - time.Second)},
				"new": {pos: 500, at: now}, "newunknown": {pos: unknownLSN, at: now}},
			want: []string{"new", "newunknown"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := newReplicas(nil)
			for i, st := range tc.replicas {
				rs.list = append(rs.list, replicaAt(fmt.Sprint("r", i), st))
			}
			maps.Copy(rs.written, tc.marks)
			rs.prune(now)
			got := slices.Sorted(maps.Keys(rs.written))
			if !slices.Equal(got, tc.want) {
				t.Errorf("marks left %q, want %q", got, tc.want)
			}
		})
	}
}

// remember (noteWrite's bookkeeping) prunes once the marks pass pruneMarksAt, and then only
// after they double, so a write costs amortised constant time however many collections a
// process writes to.
func TestRememberPrunesAsMarksGrow(t *testing.T) {
	rs := newReplicas(nil)
	rs.list = append(rs.list, replicaAt("r", replicaState{replay: 1000}))
	now := time.Now()
	for i := range pruneMarksAt {
		rs.remember(fmt.Sprint("c", i), 10, now) // all replayed
	}
	if len(rs.written) != pruneMarksAt {
		t.Fatalf("%d marks before passing pruneMarksAt, want %d: pruned too early", len(rs.written), pruneMarksAt)
	}
	rs.remember("x", 2000, now)
	if len(rs.written) != 1 {
		t.Fatalf("%d marks left after pruning, want 1 (the unreplayed one)", len(rs.written))
	}
	// Marks no replica has replayed are kept; the next prune waits for twice as many.
	rs.list[0] = replicaAt("r", replicaState{replay: 0})
	for i := range 2 * pruneMarksAt {
		rs.remember(fmt.Sprint("d", i), 10, now)
	}
	if want := 2*pruneMarksAt + 1; len(rs.written) != want {
		t.Errorf("%d marks, want %d (none replayed, none old)", len(rs.written), want)
	}
	if rs.pruneAfter < len(rs.written) {
		t.Errorf("next prune after %d marks, but %d are kept: it would prune on every write", rs.pruneAfter, len(rs.written))
	}
}
