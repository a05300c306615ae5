package git

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/pktline"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// The ACK modes a client may ask for (upload-pack.c's multi_ack).
const (
	singleAck = iota
	multiAck
	multiAckDetailed
)

// negotiation is upload-pack.c's get_common_commits for one stateless
// round. go-git's server has no negotiation: it answers every request
// with a pack. git's HTTP client instead sends its haves in rounds, each
// a request ending in a flush, and expects only ACK/NAK lines back until
// it sends "done"; a pack in the middle would be read as pkt-lines.
type negotiation struct {
	st    storer.EncodedObjectStorer
	mode  int
	wants []plumbing.Hash

	theyHave   map[plumbing.Hash]bool // upload-pack's THEY_HAVE flag
	haveObj    []plumbing.Hash
	oldestHave int64
	last       plumbing.Hash

	giveUpAt  int // len(haveObj) when okToGiveUp last ran
	giveUpWas bool
}

func newNegotiation(st storer.EncodedObjectStorer, req *packp.UploadRequest) *negotiation {
	n := &negotiation{st: st, wants: req.Wants, theyHave: map[plumbing.Hash]bool{}, giveUpAt: -1}
	switch {
	case req.Capabilities.Supports(capability.MultiACKDetailed):
		n.mode = multiAckDetailed
	case req.Capabilities.Supports(capability.MultiACK):
		n.mode = multiAck
	}
	return n
}

// round reads this request's have lines up to a flush (the round ends:
// done is false) or "done" (the pack follows), writing what upload-pack
// writes for each.
func (n *negotiation) round(r io.Reader, e *pktline.Encoder) (done bool, err error) {
	sc := pktline.NewScanner(r)
	gotCommon, gotOther := false, false
	for sc.Scan() {
		line := bytes.TrimSuffix(sc.Bytes(), []byte("\n"))
		switch {
		case len(line) == 0:
			return false, n.endRound(gotCommon, gotOther, e)
		case bytes.HasPrefix(line, []byte("have ")):
			hex := string(line[len("have "):])
			if !plumbing.IsHash(hex) {
				return false, fmt.Errorf("expected SHA1 object, got %q", hex)
			}
			if err := n.have(plumbing.NewHash(hex), &gotCommon, &gotOther, e); err != nil {
				return false, err
			}
		case string(line) == "done":
			if len(n.haveObj) == 0 {
				return true, e.Encodef("NAK\n")
			}
			if n.mode != singleAck {
				return true, e.Encodef("ACK %s\n", n.last)
			}
			return true, nil
		default:
			return false, fmt.Errorf("expected SHA1 list, got %q", line)
		}
	}
	if err := sc.Err(); err != nil {
		return false, err
	}
	return false, errors.New("request ended without a flush or done")
}

// endRound answers the flush that ends a round without "done".
func (n *negotiation) endRound(gotCommon, gotOther bool, e *pktline.Encoder) error {
	if n.mode == multiAckDetailed && gotCommon && !gotOther && n.okToGiveUp() {
		if err := e.Encodef("ACK %s ready\n", n.last); err != nil {
			return err
		}
	}
	if len(n.haveObj) == 0 || n.mode != singleAck {
		return e.Encodef("NAK\n")
	}
	return nil
}

func (n *negotiation) have(h plumbing.Hash, gotCommon, gotOther *bool, e *pktline.Encoder) error {
	if n.st.HasEncodedObject(h) != nil {
		*gotOther = true
		if n.mode == singleAck || !n.okToGiveUp() {
			return nil
		}
		if n.mode == multiAckDetailed {
			return e.Encodef("ACK %s ready\n", h)
		}
		return e.Encodef("ACK %s continue\n", h)
	}
	n.gotOID(h)
	*gotCommon = true
	n.last = h
	switch {
	case n.mode == multiAckDetailed:
		return e.Encodef("ACK %s common\n", h)
	case n.mode == multiAck:
		return e.Encodef("ACK %s continue\n", h)
	case len(n.haveObj) == 1:
		return e.Encodef("ACK %s\n", h)
	}
	return nil
}

// gotOID is upload-pack's do_got_oid: a common commit's parents are
// known to the client too.
func (n *negotiation) gotOID(h plumbing.Hash) {
	if c, err := object.GetCommit(n.st, h); err == nil {
		if date := c.Committer.When.Unix(); n.oldestHave == 0 || date < n.oldestHave {
			n.oldestHave = date
		}
		for _, p := range c.ParentHashes {
			n.theyHave[p] = true
		}
	}
	if n.theyHave[h] {
		return
	}
	n.theyHave[h] = true
	n.haveObj = append(n.haveObj, h)
}

// okToGiveUp reports whether every wanted commit reaches something the
// client has, so more haves would not shrink the pack. git bounds the
// walk by the oldest have's date; the sim's repositories are small
// enough to walk whole, which only ever says "ready" later, never wrongly.
func (n *negotiation) okToGiveUp() bool {
	if len(n.haveObj) == 0 {
		return false
	}
	if n.giveUpAt == len(n.haveObj) {
		return n.giveUpWas
	}
	n.giveUpAt = len(n.haveObj)
	n.giveUpWas = true
	for _, w := range n.wants {
		if !n.reachesHave(w) {
			n.giveUpWas = false
			break
		}
	}
	return n.giveUpWas
}

func (n *negotiation) reachesHave(want plumbing.Hash) bool {
	want, _ = peel(n.st, want)
	if _, err := object.GetCommit(n.st, want); err != nil {
		return true // not a commit: ancestry cannot tell, as in git
	}
	seen := map[plumbing.Hash]bool{want: true}
	queue := []plumbing.Hash{want}
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		if n.theyHave[h] {
			return true
		}
		c, err := object.GetCommit(n.st, h)
		if err != nil {
			continue
		}
		for _, p := range c.ParentHashes {
			if !seen[p] {
				seen[p] = true
				queue = append(queue, p)
			}
		}
	}
	return false
}
