package git

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/pktline"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
)

// advertise answers info/refs in protocol v0. A client asking for v2
// (Git-Protocol: version=2, as git 2.39 does) gets v0 too: that is what a
// server that does not speak v2 answers, and git falls back to it.
func (s *Server) advertise(w http.ResponseWriter, r *http.Request, repo *Repo) {
	repo.mu.RLock()
	ar, err := advertisedRefs(repo.readStorage())
	repo.mu.RUnlock()
	if err != nil {
		textError(w, http.StatusInternalServerError, fmt.Sprintf("advertise %s: %v", repo.name, err))
		return
	}
	var buf bytes.Buffer
	if err := ar.Encode(&buf); err != nil {
		textError(w, http.StatusInternalServerError, fmt.Sprintf("advertise %s: %v", repo.name, err))
		return
	}
	w.Header().Set("Content-Type", "application/x-git-upload-pack-advertisement")
	noCache(w.Header())
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(buf.Bytes())
}

// advertisedRefs is go-git's advertisement with what it leaves out: the
// peeled value of annotated tags (git's fetch follows tags by them) and
// multi_ack_detailed, the negotiation git's stateless HTTP client expects
// (uploadpack.go does it; go-git's server has none).
func advertisedRefs(st storer.Storer) (*packp.AdvRefs, error) {
	sess, err := server.NewServer(storageLoader{st}).NewUploadPackSession(&transport.Endpoint{}, nil)
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	ar, err := sess.AdvertisedReferences()
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	for name, h := range ar.References {
		if !strings.HasPrefix(name, "refs/tags/") {
			continue
		}
		if peeled, ok := peel(st, h); ok {
			ar.Peeled[name] = peeled
		}
	}
	if err := ar.Capabilities.Set(capability.MultiACKDetailed); err != nil {
		return nil, fmt.Errorf("set capabilities: %w", err)
	}
	ar.Prefix = [][]byte{[]byte("# service=" + uploadPackService), pktline.Flush}
	return ar, nil
}

// peel follows an annotated tag (and tags of tags) to what it names;
// ok is false for anything that is not a tag object.
func peel(st storer.EncodedObjectStorer, h plumbing.Hash) (plumbing.Hash, bool) {
	peeled := false
	for {
		t, err := object.GetTag(st, h)
		if err != nil {
			return h, peeled
		}
		h, peeled = t.Target, true
	}
}

// storageLoader hands go-git's server the storage opened for one request.
type storageLoader struct{ st storer.Storer }

func (l storageLoader) Load(*transport.Endpoint) (storer.Storer, error) { return l.st, nil }
