package shaman

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/repoquery"
	"minka/api/repostatus"
	"minka/api/v1alpha1"
	simchacra "minka/sim/chacra"
	"minka/store"
)

func declared(name, project, sha1, flavor string, ds ...v1alpha1.Distro) *v1alpha1.Repo {
	return &v1alpha1.Repo{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name},
		Spec: v1alpha1.RepoSpec{Project: project, Ref: "main", SHA1: sha1, Flavor: flavor, Distros: ds}}
}

func callbackBody(t testing.TB, x exchange) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(x.Request.JSON, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEveryCapturedCallbackMovesItsRepo: each captured callback body,
// posted for a declared Repo of its release, is accepted and moves that
// Repo's distro to the callback's state.
func TestEveryCapturedCallbackMovesItsRepo(t *testing.T) {
	e := newEnv(t, simchacra.Options{CallbackURL: "-"})
	cbs := loadExchanges(t, callbackGlob)
	i := 0
	for _, name := range sortedKeys(anyMap(cbs)) {
		x := cbs[name]
		if strings.Contains(x.Request.URL, "/api/nodes/") {
			host := e.pool.Nodes()[1].Name
			got := e.do("POST", strings.ReplaceAll(x.Request.URL, "127.0.0.1:8443", host), true, []byte(x.Request.JSON))
			if got.code != 200 || string(got.body) != "{}" {
				t.Errorf("%s: %d %s", name, got.code, got.body)
			}
			continue
		}
		i++
		m := callbackBody(t, x)
		old := m["sha1"].(string)
		sha1 := fmt.Sprintf("%040x", 0xabc000+i)
		for _, k := range []string{"url", "chacra_url"} {
			m[k] = strings.Replace(m[k].(string), old, sha1, 1)
		}
		m["sha1"] = sha1
		arch := m["archs"].([]any)[0].(string)
		r := e.create(declared(fmt.Sprintf("cb%d", i), m["project_name"].(string), sha1, "default",
			v1alpha1.Distro{Distro: m["distro"].(string), Version: m["distro_version"].(string), Arch: arch}))
		got := e.do("POST", x.Request.URL, true, m)
		if got.code != 200 || string(got.body) != "{}" || got.contentType != contentJSON {
			t.Fatalf("%s: %d %q %s", name, got.code, got.contentType, got.body)
		}
		st := e.repo("default", r.Name).Status
		want := repostatus.FromCallback(m["status"].(string))
		if len(st.Distros) != 1 || st.Distros[0].State != want || st.Distros[0].ChacraURL != m["chacra_url"] || st.Distros[0].Modified == nil {
			t.Fatalf("%s: status %+v, want state %s", name, st.Distros, want)
		}
		t.Logf("%s: %s/%s/%s → %s", name, m["distro"], m["distro_version"], arch, want)
	}
	if i != 9 {
		t.Fatalf("%d repo callbacks, want 9", i)
	}
	// Events: one per transition.
	evs, err := e.st.List(context.Background(), eventKind(t), "default", store.ListOptions{})
	if err != nil || len(evs.GetItems()) < 9 {
		t.Fatalf("events: %v, %d", err, len(evs.GetItems()))
	}
}

func eventKind(t *testing.T) v1alpha1.Kind {
	k, err := v1alpha1.KindFor("Event")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func anyMap[V any](m map[string]V) map[string]any {
	out := map[string]any{}
	for k := range m {
		out[k] = nil
	}
	return out
}

func readyDeb(t testing.TB) map[string]any {
	return callbackBody(t, loadExchanges(t, callbackGlob)["chacra-callback__POST__shaman_api_repos_PROJECT__ready_deb.json"])
}

// TestMalformedCallbacks: each bad body is a 400 (413 past the size
// limit) whose message names the field, and nothing is stored.
func TestMalformedCallbacks(t *testing.T) {
	e := newEnv(t, simchacra.Options{CallbackURL: "-"})
	r := e.create(declared("hello", "hello", "0123456789abcdef0123456789abcdef01234567", "default",
		v1alpha1.Distro{Distro: "ubuntu", Version: "jammy", Arch: "x86_64"}))
	with := func(k string, v any) string {
		m := readyDeb(t)
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	type raw string
	for _, c := range []struct {
		name, body, field string
		code              int
	}{
		{"not JSON", `{"ref": "main",`, "body", 400},
		{"an array", `[1, 2]`, "body", 400},
		{"null", `null`, "body", 400},
		{"empty", ``, "body", 400},
		{"missing ref", with("ref", nil), "ref", 400},
		{"missing sha1", with("sha1", nil), "sha1", 400},
		{"missing distro", with("distro", nil), "distro", 400},
		{"missing distro_version", with("distro_version", nil), "distro_version", 400},
		{"missing status", with("status", nil), "status", 400},
		{"missing chacra_url", with("chacra_url", nil), "chacra_url", 400},
		{"ref a number", with("ref", 7), "ref", 400},
		{"archs a string", with("archs", "x86_64"), "archs", 400},
		{"archs of numbers", with("archs", []int{1}), "archs", 400},
		{"is_queued a string", with("is_queued", "yes"), "is_queued", 400},
		{"extra an array", with("extra", []string{}), "extra", 400},
		{"bad status", with("status", "exploded"), "status", 400},
		{"bad chacra_url", with("chacra_url", "ftp://x/repos/"), "chacra_url", 400},
		{"chacra_url no host", with("chacra_url", "/repos/hello/"), "chacra_url", 400},
		{"bad modified", with("modified", "yesterday"), "modified", 400},
		{"distro with a slash", with("distro", "ubuntu/../x"), "distro", 400},
		{"project_name differs", with("project_name", "other"), "project_name", 400},
		{"huge body", `{"ref": "` + strings.Repeat("a", 2<<20) + `"}`, "body", 413},
		{"long ref", with("ref", strings.Repeat("r", 300)), "ref", 400},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := e.do("POST", "/api/repos/hello/", true, c.body)
			if got.code != c.code || !strings.Contains(string(got.body), c.field+":") {
				t.Fatalf("%d %s; want %d naming %s", got.code, got.body, c.code, c.field)
			}
		})
	}
	if now := e.repo("default", "hello"); now.ResourceVersion != r.ResourceVersion {
		t.Fatalf("a malformed callback changed the Repo: %+v", now.Status)
	}
	l, _ := e.st.List(context.Background(), repoKind, "", store.ListOptions{})
	if n := len(l.GetItems()); n != 1 {
		t.Fatalf("%d Repos after malformed callbacks, want 1", n)
	}
	if got := e.do("POST", "/api/repos/hello/", false, readyDeb(t)); got.code != 401 || !strings.Contains(got.contentType, "text/html") {
		t.Fatalf("no auth: %d %q", got.code, got.contentType)
	}
}

// TestCallbacksNeverMoveBackwards: the captured deb callbacks, in order,
// reversed, shuffled and redelivered: the Repo's (modified, state) never
// goes back, and it ends Ready.
func TestCallbacksNeverMoveBackwards(t *testing.T) {
	e := newEnv(t, simchacra.Options{CallbackURL: "-"})
	cbs := loadExchanges(t, callbackGlob)
	var bodies []map[string]any
	for _, s := range []string{"requested", "queued", "building", "ready"} {
		bodies = append(bodies, callbackBody(t, cbs["chacra-callback__POST__shaman_api_repos_PROJECT__"+s+"_deb.json"]))
	}
	rank := map[string]int{v1alpha1.RepoRequested: 1, v1alpha1.RepoQueued: 2, v1alpha1.RepoBuilding: 3, v1alpha1.RepoReady: 4}
	rng := rand.New(rand.NewSource(3))
	for round := 0; round < 6; round++ {
		sha1 := fmt.Sprintf("%040x", 0xbeef00+round)
		name := fmt.Sprintf("order%d", round)
		e.create(declared(name, "hello", sha1, "default", v1alpha1.Distro{Distro: "ubuntu", Version: "22.04", Arch: "x86_64"}))
		order := rng.Perm(len(bodies))
		if round == 0 {
			order = []int{0, 1, 2, 3, 1, 2, 0}
		} else if round == 1 {
			order = []int{3, 2, 1, 0, 3}
		} else {
			order = append(order, rng.Perm(len(bodies))...)
		}
		var lastMod metav1.MicroTime
		lastRank := 0
		for _, i := range order {
			m := map[string]any{}
			for k, v := range bodies[i] {
				m[k] = v
			}
			m["sha1"] = sha1
			if got := e.do("POST", "/api/repos/hello/", true, m); got.code != 200 {
				t.Fatalf("%d %s", got.code, got.body)
			}
			d := e.repo("default", name).Status.Distros[0]
			if d.Modified.Before(&lastMod) || (d.Modified.Equal(&lastMod) && rank[d.State] < lastRank) {
				t.Fatalf("round %d: moved back to %s at %v after rank %d at %v", round, d.State, d.Modified, lastRank, lastMod)
			}
			lastMod, lastRank = *d.Modified, rank[d.State]
		}
		if d := e.repo("default", name).Status.Distros[0]; d.State != v1alpha1.RepoReady {
			t.Fatalf("round %d (order %v) ended %s", round, order, d.State)
		}
	}
}

// TestDeletedCallback: chacra deleting a repository sends the distro
// back to WaitingForBinaries (DeletedOnChacra); a short sha1 is
// answered {} and creates nothing.
func TestDeletedCallback(t *testing.T) {
	e := newEnv(t, simchacra.Options{CallbackURL: "-"})
	m := readyDeb(t)
	if got := e.do("POST", "/api/repos/hello/", true, m); got.code != 200 {
		t.Fatal(got.code, string(got.body))
	}
	name := repoquery.RepoName("hello", "main", m["sha1"].(string), "default")
	if d := e.repo("default", name).Status.Distros[0]; d.State != v1alpha1.RepoReady {
		t.Fatalf("state %s", d.State)
	}
	m["status"] = "deleted"
	if got := e.do("POST", "/api/repos/hello/", true, m); got.code != 200 {
		t.Fatal(got.code, string(got.body))
	}
	if d := e.repo("default", name).Status.Distros[0]; d.State != v1alpha1.RepoWaitingForBinaries || d.Reason != "DeletedOnChacra" {
		t.Fatalf("after deleted: %s %s", d.State, d.Reason)
	}
	x := loadExchanges(t, "testdata/shaman/shaman__POST__api_repos_PROJECT.json")["shaman__POST__api_repos_PROJECT.json"]
	if got := e.do("POST", x.Request.URL, true, []byte(x.Request.JSON)); got.code != 200 || string(got.body) != "{}" {
		t.Fatalf("short sha1: %d %s", got.code, got.body)
	}
	l, _ := e.st.List(context.Background(), repoKind, "", store.ListOptions{})
	if n := len(l.GetItems()); n != 1 {
		t.Fatalf("%d Repos, want 1 (the short sha1 creates none)", n)
	}
}
