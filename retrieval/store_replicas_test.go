package retrieval

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
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
