package retrieval

import (
	"testing"
	"time"
)

// TestAFailedMoveIsNotRetriedAtEveryWrite: after a collection's move fails, writes leave it
// alone for partitionRetryAfter, then try again; other collections are not held back.
func TestAFailedMoveIsNotRetriedAtEveryWrite(t *testing.T) {
	var b partitionBackoff
	now := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	if b.wait("big", now) {
		t.Fatal("a collection that never failed waits")
	}
	b.failed("big", now)
	for _, c := range []struct {
		name string
		coll string
		at   time.Time
		want bool
	}{
		{"right after the failure it waits", "big", now.Add(time.Second), true},
		{"just before the retry time it still waits", "big", now.Add(partitionRetryAfter - time.Second), true},
		{"at the retry time it is tried again", "big", now.Add(partitionRetryAfter), false},
		{"another collection never waits", "small", now.Add(time.Second), false},
	} {
		if got := b.wait(c.coll, c.at); got != c.want {
			t.Errorf("%s: wait = %v, want %v", c.name, got, c.want)
		}
	}
}
