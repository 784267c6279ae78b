package retrieval

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres advisory locks held by a process for as long as it does something (works
// background jobs, reindexes a collection), each on a connection of its own: Postgres
// releases a session's locks when the session ends, so a lock nobody holds means whoever
// took it has stopped, however it stopped (a kill -9 included). Other processes see the
// locks in pg_locks.

// LockKey names an advisory lock: a space footnote reserves for one use, and a name in it
// that Postgres hashes (hashtext), so that pg_locks shows the lock as (Space, hash, 2).
type LockKey struct {
	Space int32
	Name  string
}

// ErrLocked is returned by HoldLock when another session holds the lock.
var ErrLocked = errors.New("lock held by another process")

// lockCheckEvery is how often a held lock's connection is checked, each check bounded by
// the same time: a lock whose session Postgres ended (a restart, a cut connection, an
// administrator) is noticed within about twice this, and its holder stops what the lock
// guarded. Others wait longer than that before they take over (jobs.orphanAfter). Shorter
// notices sooner, at one round trip per lock per period.
const lockCheckEvery = 2 * time.Second

// Server-side TCP keepalives of a lock's connection: a holder whose machine died or was cut
// off answers no probe, and Postgres ends its session (releasing the lock) after about
// idle + interval × count seconds, instead of the operating system's default of over two
// hours. Shorter frees a dead machine's locks sooner; each probe is one small packet.
const (
	lockKeepaliveIdle     = 10 // seconds
	lockKeepaliveInterval = 5
	lockKeepaliveCount    = 3
)

// ErrLockLost is the cause of a HeldLock's Context once the lock is lost.
var ErrLockLost = errors.New("lost the database connection that held the lock")

// HeldLock is an advisory lock held on a connection of its own until Release, or until
// the connection is lost (Lost).
type HeldLock struct {
	conn *pgx.Conn
	key  LockKey
	ctx  context.Context // cancelled when the lock is lost or released
	end  context.CancelCauseFunc
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// holdLock takes key on a new connection, or fails with ErrLocked when another session
// holds it, or with the database's error.
func (s *Store) holdLock(ctx context.Context, key LockKey) (*HeldLock, error) {
	cfg := s.pool.Config().ConnConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	for k, v := range map[string]int{"tcp_keepalives_idle": lockKeepaliveIdle,
		"tcp_keepalives_interval": lockKeepaliveInterval, "tcp_keepalives_count": lockKeepaliveCount} {
		cfg.RuntimeParams[k] = strconv.Itoa(v)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to hold lock %d/%s: %w", key.Space, key.Name, err)
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2))`, key.Space, key.Name).Scan(&got); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("take lock %d/%s: %w", key.Space, key.Name, err)
	}
	if !got {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("lock %d/%s: %w", key.Space, key.Name, ErrLocked)
	}
	l := &HeldLock{conn: conn, key: key, stop: make(chan struct{}), done: make(chan struct{})}
	l.ctx, l.end = context.WithCancelCause(context.Background())
	go l.watch()
	return l, nil
}

// watch checks the connection every lockCheckEvery until Release, and ends the lock's
// context when a check fails: the session, and the lock with it, may be gone.
func (l *HeldLock) watch() {
	defer close(l.done)
	tick := time.NewTicker(lockCheckEvery)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), lockCheckEvery)
		err := l.conn.Ping(ctx)
		cancel()
		if err != nil {
			l.end(ErrLockLost)
			return
		}
	}
}

// Lost is closed when the lock's connection failed a check (the lock may be held by
// another process by now, and whatever it guarded must stop), and on Release.
func (l *HeldLock) Lost() <-chan struct{} { return l.ctx.Done() }

// Context is cancelled when Lost is closed, with ErrLockLost as its cause when the lock was
// lost: a context.AfterFunc on it stops what the lock guards, with no goroutine waiting.
func (l *HeldLock) Context() context.Context { return l.ctx }

// Key is the lock's key.
func (l *HeldLock) Key() LockKey { return l.key }

// Release releases the lock (by ending its session). It may be called more than once.
func (l *HeldLock) Release() {
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		l.end(context.Canceled)
		ctx, cancel := context.WithTimeout(context.Background(), lockCheckEvery)
		defer cancel()
		_ = l.conn.Close(ctx)
	})
}

// HoldLock takes the advisory lock key on a connection of its own and keeps it until
// Release, checking the connection as it goes (HeldLock.Lost). It fails with ErrLocked
// when another session holds the lock, else only on the database.
func (e *Engine) HoldLock(ctx context.Context, key LockKey) (*HeldLock, error) {
	return e.store.holdLock(ctx, key)
}
