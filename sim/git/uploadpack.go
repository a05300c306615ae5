package git

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/format/pktline"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
)

// maxRequestBytes bounds an upload-pack request, after gunzip: wants and
// haves are 50 bytes a line, so this is far more than any fetch sends.
const maxRequestBytes = 16 << 20

// serveUploadPack answers one stateless upload-pack request: the wants
// (decoded by go-git), then this round's haves, answered with git's ACK
// and NAK lines (negotiate.go), and after "done" the pack, built by
// go-git's server from the wants less everything reachable from the
// common haves.
func (s *Server) serveUploadPack(w http.ResponseWriter, r *http.Request, repo *Repo) {
	if ct := r.Header.Get("Content-Type"); ct != "application/x-git-upload-pack-request" {
		textError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("unsupported media type %q", ct))
		return
	}
	body, err := requestBody(w, r)
	if err != nil {
		textError(w, http.StatusUnsupportedMediaType, err.Error())
		return
	}
	repo.mu.RLock()
	defer repo.mu.RUnlock()
	st := repo.readStorage()

	req := packp.NewUploadRequest()
	if err := req.Decode(body); err != nil {
		textError(w, http.StatusBadRequest, fmt.Sprintf("upload-pack request: %v", err))
		return
	}
	if err := checkRequest(req); err != nil {
		textError(w, http.StatusBadRequest, fmt.Sprintf("upload-pack request: %v", err))
		return
	}
	var out bytes.Buffer
	enc := pktline.NewEncoder(&out)
	if bad, err := notOurRef(st, req.Wants); err != nil || bad != nil {
		if err != nil {
			textError(w, http.StatusInternalServerError, fmt.Sprintf("upload-pack: %v", err))
			return
		}
		// upload-pack's own words; git shows them as "remote error: ...".
		_ = enc.Encodef("ERR upload-pack: not our ref %s", bad)
		writeResult(w, out.Bytes(), nil)
		return
	}
	n := newNegotiation(st, req)
	done, err := n.round(body, enc)
	if err != nil {
		textError(w, http.StatusBadRequest, fmt.Sprintf("upload-pack request: %v", err))
		return
	}
	if !done {
		writeResult(w, out.Bytes(), nil)
		return
	}
	pack, err := buildPack(r.Context(), st, req, n.haveObj)
	if err != nil {
		textError(w, http.StatusInternalServerError, fmt.Sprintf("upload-pack: %v", err))
		return
	}
	defer pack.Close()
	writeResult(w, out.Bytes(), pack)
}

func writeResult(w http.ResponseWriter, head []byte, pack io.Reader) {
	w.Header().Set("Content-Type", "application/x-git-upload-pack-result")
	noCache(w.Header())
	_, _ = w.Write(head)
	if pack != nil {
		// A failure here is a client gone or a broken pack stream; the
		// client sees a truncated pack, as it would from git.
		_, _ = io.Copy(w, pack)
	}
}

// requestBody undoes the gzip git applies to large requests.
func requestBody(w http.ResponseWriter, r *http.Request) (io.Reader, error) {
	body := http.MaxBytesReader(w, r.Body, maxRequestBytes)
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
		return body, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("gzip request body: %w", err)
		}
		return io.LimitReader(zr, maxRequestBytes), nil
	default:
		return nil, fmt.Errorf("unsupported content encoding %q", enc)
	}
}

// checkRequest refuses what the advertisement did not offer.
func checkRequest(req *packp.UploadRequest) error {
	if err := req.Validate(); err != nil {
		return err
	}
	if len(req.Shallows) > 0 || !req.Depth.IsZero() {
		return errors.New("shallow fetches are not supported")
	}
	return nil
}

// notOurRef returns the first want that is no ref's tip (nor a tag's
// peeled value): upload-pack serves only what it advertises.
func notOurRef(st storer.Storer, wants []plumbing.Hash) (*plumbing.Hash, error) {
	tips := map[plumbing.Hash]bool{}
	iter, err := st.IterReferences()
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() == plumbing.HashReference {
			tips[ref.Hash()] = true
			if p, ok := peel(st, ref.Hash()); ok {
				tips[p] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	for _, h := range wants {
		if !tips[h] {
			return &h, nil
		}
	}
	return nil, nil
}

// buildPack asks go-git's server for the pack of wants less what the
// haves reach. go-git's session would also encode the ACK/NAK lines, but
// only as one NAK or one ACK; the negotiation wrote them already, so only
// the pack stream is taken from its response.
func buildPack(ctx context.Context, st storer.Storer, req *packp.UploadRequest, haves []plumbing.Hash) (io.ReadCloser, error) {
	sess, err := server.NewServer(storageLoader{st}).NewUploadPackSession(&transport.Endpoint{}, nil)
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	upr := packp.NewUploadPackRequest()
	upr.Wants = req.Wants
	upr.Haves = haves
	if req.Capabilities.Supports(capability.OFSDelta) {
		_ = upr.Capabilities.Set(capability.OFSDelta)
	}
	resp, err := sess.UploadPack(ctx, upr)
	if errors.Is(err, transport.ErrEmptyUploadPackRequest) {
		// The client has everything it wants: upload-pack still sends a
		// pack, an empty one.
		var buf bytes.Buffer
		if _, err := packfile.NewEncoder(&buf, st, false).Encode(nil, 0); err != nil {
			return nil, fmt.Errorf("encode empty pack: %w", err)
		}
		return io.NopCloser(&buf), nil
	}
	if err != nil {
		return nil, fmt.Errorf("build pack: %w", err)
	}
	return resp, nil
}
