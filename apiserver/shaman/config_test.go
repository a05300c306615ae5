package shaman

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/repoquery"
	"minka/backend"
	simchacra "minka/sim/chacra"
)

func TestConfigValidate(t *testing.T) {
	t.Setenv("MINKA_SHAMAN_CFG_KEY", "k")
	ok := backend.Secret{Env: "MINKA_SHAMAN_CFG_KEY"}
	for _, c := range []struct {
		name string
		cfg  Config
		want string // "" valid, else the field named
	}{
		{"defaults", Config{User: "admin", Key: ok}, ""},
		{"no section", Config{}, ""},
		{"namespace only", Config{Namespace: "ci"}, "shaman.user"},
		{"no user", Config{Key: ok}, "shaman.user"},
		{"user with colon", Config{User: "a:b", Key: ok}, "shaman.user"},
		{"no key", Config{User: "admin"}, "shaman.key"},
		{"key from both", Config{User: "admin", Key: backend.Secret{Env: "X", File: "/y"}}, "shaman.key"},
		{"bad namespace", Config{User: "admin", Key: ok, Namespace: "Not_OK"}, "shaman.namespace"},
		{"bad chacra", Config{User: "admin", Key: ok, Chacra: "a/b"}, "shaman.chacra"},
	} {
		errs := c.cfg.Validate(field.NewPath("shaman"))
		if c.want == "" && len(errs) > 0 || c.want != "" && (len(errs) == 0 || !strings.Contains(errs.ToAggregate().Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.name, errs, c.want)
		}
	}
}

// TestReadGuardAndMetrics: with ReadAuth reads go through the guard
// (next and writes keep shaman's basic auth); requests are counted by
// endpoint and code.
func TestReadGuardAndMetrics(t *testing.T) {
	e := newEnv(t, simchacra.Options{CallbackURL: "-"})
	reg := prometheus.NewRegistry()
	h, err := New(Options{Config: Config{User: testUser, Key: backend.Secret{Env: "MINKA_SHAMAN_TEST_KEY"}, ReadAuth: true},
		Store: e.st, Cache: e.h.cache, Pool: e.pool, Registry: reg,
		ReadGuard: func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "token required", http.StatusUnauthorized) })
		}})
	if err != nil {
		t.Fatal(err)
	}
	// Not run yet: writes that need the index answer 503 with Retry-After.
	rec := serve(h, "POST", "/shaman/api/repos/hello/", true)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("before the index: %d %v", rec.Code, rec.Header())
	}
	if rec := serve(h, "GET", "/shaman/api/repos/", false); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "token required") {
		t.Fatalf("guarded read: %d %s", rec.Code, rec.Body)
	}
	if rec := serve(h, "GET", "/shaman/api/nodes/next/", true); rec.Code != 200 {
		t.Fatalf("next with basic auth: %d %s", rec.Code, rec.Body)
	}
	if rec := serve(h, "GET", "/shaman/_health/", false); rec.Code != http.StatusNoContent {
		t.Fatalf("health: %d", rec.Code)
	}
	if n := testutil.ToFloat64(h.metrics.requests.WithLabelValues("nodes/next", "200")); n != 1 {
		t.Fatalf("minka_shaman_requests_total{endpoint=nodes/next,code=200} = %v", n)
	}
	if _, err := New(Options{Config: Config{User: testUser, Key: backend.Secret{Env: "MINKA_SHAMAN_TEST_KEY"}},
		Store: e.st, Cache: e.h.cache, Pool: e.pool, Registry: reg}); err != nil {
		t.Fatalf("a second handler on one registry: %v", err)
	}
	// No shaman section: empty credentials never match.
	open, err := New(Options{Store: e.st, Cache: e.h.cache, Pool: e.pool})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/shaman/api/nodes/next/", nil)
	req.SetBasicAuth("", "")
	rec = httptest.NewRecorder()
	open.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != `Basic realm="Shaman :: API"` {
		t.Fatalf("no credentials configured: %d %v", rec.Code, rec.Header())
	}
}

// TestSlashesAndIndexFollowsDeletes: a GET without its trailing slash
// is redirected as pecan does; a deleted Repo leaves the index.
func TestSlashesAndIndexFollowsDeletes(t *testing.T) {
	e := newEnv(t, simchacra.Options{CallbackURL: "-"})
	if got := e.do("POST", "/api/repos/hello/", true, readyDeb(t)); got.code != 200 {
		t.Fatal(got.code, string(got.body))
	}
	if got := e.do("GET", "/api/repos/hello", false, nil); got.code != http.StatusFound || !strings.HasSuffix(got.location, "/api/repos/hello/") {
		t.Fatalf("no slash: %d %q", got.code, got.location)
	}
	if got := e.do("GET", "/api/search?project=hello", false, nil); got.code != http.StatusFound || !strings.HasSuffix(got.location, "/api/search/?project=hello") {
		t.Fatalf("search without slash: %d %q", got.code, got.location)
	}
	name := repoquery.RepoName("hello", "main", "0123456789abcdef0123456789abcdef01234567", "default")
	if _, err := e.st.Delete(t.Context(), repoKind, "default", name, nil); err != nil {
		t.Fatal(err)
	}
	e.eventually("the index drops the deleted Repo", func() bool { _, ok := e.h.Index().Get("default", name); return !ok })
	if got := e.do("GET", "/api/repos/hello/", false, nil); got.code != http.StatusNotFound {
		t.Fatalf("after delete: %d %s", got.code, got.body)
	}
}
