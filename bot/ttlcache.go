package bot

import (
	"sync"
	"time"
)

// ttlCache keeps values by key for a fixed time; its zero value is empty and ready.
type ttlCache[V any] struct {
	mu    sync.Mutex
	byKey map[string]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v  V
	at time.Time
}

// get returns the value stored under key if it was stored less than ttl before now.
func (c *ttlCache[V]) get(key string, now time.Time, ttl time.Duration) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok || now.Sub(e.at) >= ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put stores v under key as of now.
func (c *ttlCache[V]) put(key string, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = make(map[string]ttlEntry[V])
	}
	c.byKey[key] = ttlEntry[V]{v: v, at: now}
}
