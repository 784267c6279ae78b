package retrieval_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestHoldLock(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	key := retrieval.LockKey{Space: 0x7e570001, Name: coll} // the test's own collection: no other test holds it
	held, err := e.HoldLock(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { held.Release() }()

	t.Run("a lock held by one session is refused to another", func(t *testing.T) {
		if l, err := e.HoldLock(ctx, key); !errors.Is(err, retrieval.ErrLocked) {
			t.Errorf("second hold = %v, %v; want ErrLocked", l, err)
			if l != nil {
				l.Release()
			}
		}
	})
	t.Run("a released lock is free again", func(t *testing.T) {
		held.Release()
		again, err := e.HoldLock(ctx, key)
		if err != nil {
			t.Fatalf("after the release: %v", err)
		}
		held = again
	})
	t.Run("a lock whose session is ended says it is lost, and is free for another", func(t *testing.T) {
		conn := retrievaltest.Conn(t)
		var ended bool
		err := conn.QueryRow(ctx, `SELECT bool_or(pg_terminate_backend(pid)) FROM pg_locks
			WHERE locktype = 'advisory' AND classid = $1::integer::oid AND objid = hashtext($2)::oid AND objsubid = 2`,
			key.Space, key.Name).Scan(&ended)
		if err != nil || !ended {
			t.Fatalf("end the lock's session: %v, %v", ended, err)
		}
		select {
		case <-held.Lost():
		case <-time.After(10 * time.Second):
			t.Fatal("the lock was not reported lost within 10 s")
		}
		other, err := e.HoldLock(ctx, key)
		if err != nil {
			t.Fatalf("after the loss: %v", err)
		}
		other.Release()
	})
}
