package watchcache

import "sort"

// history is a kind's recent changes, oldest first, bounded by count and
// by the bytes of their encoded objects. A watch from any resourceVersion
// from start on is served from it.
type history struct {
	changes  []*change
	start    int64 // every change after start is kept
	bytes    int64
	maxLen   int
	maxBytes int64
}

// reset empties the history at a list's revision.
func (h *history) reset(rv int64) {
	clear(h.changes)
	h.changes, h.start, h.bytes = h.changes[:0], rv, 0
}

// add appends ch and drops the oldest changes past the bounds.
func (h *history) add(ch *change) {
	h.changes = append(h.changes, ch)
	h.bytes += int64(len(ch.obj.json))
	for len(h.changes) > 0 && (len(h.changes) > h.maxLen || h.bytes > h.maxBytes) {
		old := h.changes[0]
		h.changes[0] = nil // let the object go
		h.changes = h.changes[1:]
		h.bytes -= int64(len(old.obj.json))
		h.start = old.rv
	}
}

// since returns the changes after rv, which must be at least h.start.
func (h *history) since(rv int64) []*change {
	i := sort.Search(len(h.changes), func(i int) bool { return h.changes[i].rv > rv })
	return h.changes[i:]
}
