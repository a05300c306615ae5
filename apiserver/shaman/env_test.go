package shaman

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/backend"
	bchacra "minka/backend/chacra"
	simchacra "minka/sim/chacra"
	"minka/store"
	"minka/store/storetest"
	"minka/store/watchcache"
)

const (
	testUser = "admin"
	testKey  = "secret"
)

// env is a shaman handler over a real store on embedded etcd, a real
// watch cache and a pool of three simulated chacra nodes, served over
// real HTTP.
type env struct {
	t       testing.TB
	st      *store.Store
	h       *Handler
	srv     *httptest.Server
	cluster *simchacra.Cluster
	pool    *bchacra.Pool
	url     string // SHAMAN_URL
}

type swap struct {
	mu sync.RWMutex
	h  http.Handler
}

func (s *swap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	h := s.h
	s.mu.RUnlock()
	if h == nil {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

func newEnv(t testing.TB, simOpts simchacra.Options) *env {
	t.Helper()
	os.Setenv("MINKA_SHAMAN_TEST_KEY", testKey)
	os.Setenv("MINKA_SHAMAN_TEST_CHACRA_KEY", "secret")
	st, _ := storetest.Store(t)
	cache, err := watchcache.New(st, watchcache.Options{Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cache.Close)
	sw := &swap{}
	srv := httptest.NewServer(sw)
	t.Cleanup(srv.Close)
	base := srv.URL + Prefix
	if simOpts.CallbackURL == "-" {
		simOpts.CallbackURL = ""
	} else {
		simOpts.CallbackURL = base + "/api/repos"
		simOpts.CallbackUser, simOpts.CallbackKey = testUser, testKey
	}
	cluster := simchacra.NewCluster(3, simOpts)
	t.Cleanup(cluster.Close)
	cfg := backend.Chacra{Name: "default", User: "admin", Key: backend.Secret{Env: "MINKA_SHAMAN_TEST_CHACRA_KEY"},
		HealthInterval: metav1.Duration{Duration: time.Hour}, RegisterScheme: "http"}
	for _, u := range cluster.URLs() {
		cfg.Nodes = append(cfg.Nodes, backend.ChacraNode{URL: u})
	}
	pool, err := bchacra.NewPool(cfg, bchacra.Options{Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Options{Config: Config{User: testUser, Key: backend.Secret{Env: "MINKA_SHAMAN_TEST_KEY"}},
		Store: st, Cache: cache, Pool: pool, Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	sw.mu.Lock()
	sw.h = h
	sw.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	e := &env{t: t, st: st, h: h, srv: srv, cluster: cluster, pool: pool, url: base}
	e.eventually("the index is filled", h.Ready)
	return e
}

func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type resp struct {
	code        int
	contentType string
	location    string
	body        []byte
}

// do sends a request to the handler; auth "" sends none.
func (e *env) do(method, path string, auth bool, body any) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth {
		req.SetBasicAuth(testUser, testKey)
	}
	cl := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := cl.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{code: res.StatusCode, contentType: res.Header.Get("Content-Type"), location: res.Header.Get("Location"), body: b}
}

func (e *env) repo(ns, name string) *v1alpha1.Repo {
	e.t.Helper()
	o, err := e.st.Get(context.Background(), repoKind, ns, name)
	if err != nil {
		e.t.Fatalf("getting Repo %s/%s: %v", ns, name, err)
	}
	return o.(*v1alpha1.Repo)
}

func (e *env) create(r *v1alpha1.Repo) *v1alpha1.Repo {
	e.t.Helper()
	o, err := e.st.Create(context.Background(), r)
	if err != nil {
		e.t.Fatalf("creating Repo %s: %v", r.Name, err)
	}
	out := o.(*v1alpha1.Repo)
	e.eventually("the index has Repo "+r.Name, func() bool {
		x, ok := e.h.Index().Get(out.Namespace, out.Name)
		return ok && rvOf(x) >= rvOf(out)
	})
	return out
}

// setStatus writes a Repo's status (as the controller would).
func (e *env) setStatus(r *v1alpha1.Repo) *v1alpha1.Repo {
	e.t.Helper()
	o, err := e.st.UpdateStatus(context.Background(), r)
	if err != nil {
		e.t.Fatalf("status of %s: %v", r.Name, err)
	}
	out := o.(*v1alpha1.Repo)
	e.eventually("the index has the status of "+r.Name, func() bool {
		x, ok := e.h.Index().Get(out.Namespace, out.Name)
		return ok && rvOf(x) >= rvOf(out)
	})
	return out
}

// exchange is one reference file.
type exchange struct {
	Server  string `json:"server"`
	Request struct {
		Method string          `json:"method"`
		URL    string          `json:"url"`
		Auth   string          `json:"auth"`
		JSON   json.RawMessage `json:"json"`
	} `json:"request"`
	Response struct {
		Status      int             `json:"status"`
		ContentType *string         `json:"content_type"`
		Body        json.RawMessage `json:"body"`
		Location    string          `json:"location"`
	} `json:"response"`
	Note string `json:"note"`
}

func loadExchanges(t testing.TB, glob string) map[string]exchange {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no reference files %s: %v", glob, err)
	}
	out := map[string]exchange{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var x exchange
		if err := json.Unmarshal(b, &x); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = x
	}
	return out
}

const callbackGlob = "../../sim/chacra/testdata/reference/chacra/chacra-callback__*.json"

func serve(h http.Handler, method, path string, auth bool) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader("{}"))
	if auth {
		req.SetBasicAuth(testUser, testKey)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
