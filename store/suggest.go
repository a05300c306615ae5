package store

import (
	"sync/atomic"

	"minka/api/v1alpha1"
)

// Suggester has a recent copy of stored objects: the API server's watch
// cache. An update builds on its copy when that is the version asked for
// (or no version was asked for), instead of reading etcd first; the write
// is still guarded by the object's mod revision, so a stale copy costs a
// failed compare and a fresh read, never a lost write. kube-apiserver's
// GuaranteedUpdate does the same with its cached object. The read it
// saves cost etcd about as much as the write (issue 19's profile).
type Suggester interface {
	// Suggest returns a copy of the cached object, the caller's own, or false.
	Suggest(k v1alpha1.Kind, ns, name string) (v1alpha1.Object, bool)
}

// hints holds the store's Suggester; copies of a Store (WithFence) share it.
type hints struct{ s atomic.Pointer[Suggester] }

// SuggestFrom makes updates build on sg's copies (nil: always read etcd).
func (s *Store) SuggestFrom(sg Suggester) {
	if sg == nil {
		s.hints.s.Store(nil)
		return
	}
	s.hints.s.Store(&sg)
}

// suggested is the object to build an update on without reading etcd:
// the cached copy when its version is want (or want is 0),
// and its stored bytes; ok is false when there is none to use.
func (s *Store) suggested(k v1alpha1.Kind, ns, name string, want int64) (v1alpha1.Object, []byte, int64, bool) {
	p := s.hints.s.Load()
	if p == nil {
		return nil, nil, 0, false
	}
	cur, ok := (*p).Suggest(k, ns, name)
	if !ok {
		return nil, nil, 0, false
	}
	rev, err := parseRV(k, cur.GetResourceVersion())
	if err != nil || rev == 0 || (want != 0 && want != rev) {
		return nil, nil, 0, false
	}
	// The bytes stored at rev are what this encoding gives for the
	// object decoded from them: a write of the same object is then
	// recognised as no change, as with bytes read from etcd.
	data, err := encode(cur)
	if err != nil {
		return nil, nil, 0, false
	}
	return cur, data, rev, true
}
