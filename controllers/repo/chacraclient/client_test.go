package chacraclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Errors name the node, the URL and the status; a 404 is ErrNotFound
// (an empty listing for binaries); an answer that is not JSON is an
// error even with a 200.
func TestClientErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "/jammy/"):
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>proxy login</html>"))
		case strings.Contains(r.URL.Path, "/focal/"):
			http.Error(w, "Bad Gateway", http.StatusBadGateway)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := New("node1", srv.URL, srv.Client(), "admin", "secret")
	ctx := context.Background()
	key := func(v string) Key { kk := k; kk.Version = v; return kk }
	if _, err := c.Repo(ctx, key("bionic")); !errors.Is(err, ErrNotFound) {
		t.Errorf("404: %v, want ErrNotFound", err)
	}
	if bs, err := c.Binaries(ctx, key("bionic"), "x86_64"); err != nil || len(bs) != 0 {
		t.Errorf("404 listing: %v %v, want none", bs, err)
	}
	for _, tc := range []struct{ version, want string }{{"jammy", "not JSON"}, {"focal", "502"}} {
		_, err := c.Repo(ctx, key(tc.version))
		if err == nil || !strings.Contains(err.Error(), "node1") || !strings.Contains(err.Error(), srv.URL+"/repos/") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.version, err)
		}
	}
	srv.Close()
	_, err := c.Update(ctx, key("jammy"))
	if !Unreachable(err) || !strings.Contains(err.Error(), "update/") {
		t.Errorf("closed server: %v, want an unreachable error naming the URL", err)
	}
}
