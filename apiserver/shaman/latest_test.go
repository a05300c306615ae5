package shaman

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/url"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/repoquery"
	"minka/api/v1alpha1"
	simchacra "minka/sim/chacra"
)

var t0 = time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)

var releases = [][2]string{{"ubuntu", "xenial"}, {"ubuntu", "trusty"}, {"centos", "7"}, {"centos", "8"}, {"debian", "11"}}

// mixedRepo is one Repo of project ceph, ref main, with each distro in
// a random state at a random chacra modified time.
func mixedRepo(rng *rand.Rand, i int, sha1 string) *v1alpha1.Repo {
	states := []string{v1alpha1.RepoReady, v1alpha1.RepoReady, v1alpha1.RepoReady, v1alpha1.RepoBuilding, v1alpha1.RepoQueued, v1alpha1.RepoFailed}
	r := declared(fmt.Sprintf("mixed%05d", i), "ceph", sha1, "default")
	for _, j := range rng.Perm(len(releases))[:1+rng.Intn(len(releases))] {
		rel := releases[j]
		r.Spec.Distros = append(r.Spec.Distros, v1alpha1.Distro{Distro: rel[0], Version: rel[1], Arch: "x86_64"})
		m := metav1.NewMicroTime(t0.Add(time.Duration(rng.Intn(100000)) * time.Millisecond))
		base := "http://chacra1/repos/ceph/main/" + sha1 + "/" + rel[0] + "/" + rel[1] + "/flavors/default/"
		r.Status.Distros = append(r.Status.Distros, v1alpha1.DistroState{Distro: rel[0], Version: rel[1], Arch: "x86_64",
			State: states[rng.Intn(len(states))], Modified: &m, ChacraURL: base, URL: base, Archs: []string{"x86_64"}})
	}
	return r
}

var distroSets = func() [][]repoquery.DistroQuery {
	var out [][]repoquery.DistroQuery
	for _, s := range []string{
		"ubuntu/16.04",
		"ubuntu/xenial,centos/7",
		"ubuntu/14.04,centos/8",
		"centos/7,centos/8",
		"debian/bullseye",
		"ubuntu/xenial/x86_64,debian/11",
		"ubuntu/trusty,ubuntu/xenial,centos/7",
		"centos/7",
		"ubuntu/16.04,ubuntu/14.04,centos/7,centos/8",
		"ubuntu/xenial,centos/7,centos/8,debian/11,ubuntu/trusty",
	} {
		ds, err := repoquery.ParseDistros(s)
		if err != nil {
			panic(err)
		}
		out = append(out, ds)
	}
	return out
}()

func distrosParam(ds []repoquery.DistroQuery) string {
	s := ""
	for i, d := range ds {
		if i > 0 {
			s += ","
		}
		s += d.String()
	}
	return s
}

// TestLatestMatchesBruteForce: 50 Repos over 5 sha1s of one ref with
// mixed per-distro outcomes; /api/search/?sha1=latest&status=ready and
// /api/repos/ceph/main/latest/{distro}/{version}/ answer what
// BruteForceLatest finds, for 10 distro sets.
func TestLatestMatchesBruteForce(t *testing.T) {
	e := newEnv(t, simchacra.Options{CallbackURL: "-"})
	rng := rand.New(rand.NewSource(50))
	var repos []*v1alpha1.Repo
	for i := 0; i < 50; i++ {
		r := mixedRepo(rng, i, fmt.Sprintf("%040x", 1+i%5))
		status := r.Status
		c := e.create(r)
		c.Status = status
		repos = append(repos, e.setStatus(c))
	}
	found := 0
	for _, ds := range distroSets {
		want := repoquery.BruteForceLatest(repos, repoquery.Query{Project: "ceph", Ref: "main", Distros: ds})
		q := url.Values{"project": {"ceph"}, "ref": {"main"}, "sha1": {"latest"}, "status": {"ready"}, "distros": {distrosParam(ds)}}
		res := e.do("GET", "/api/search/?"+q.Encode(), false, nil)
		var rows []repoJSON
		if err := json.Unmarshal(res.body, &rows); err != nil || res.code != 200 {
			t.Fatalf("%s: %d %s", q.Encode(), res.code, res.body)
		}
		got := ""
		if len(rows) > 0 {
			got = rows[0].SHA1
		}
		if got != want.SHA1 || len(rows) != len(want.Rows) {
			t.Fatalf("distros %s: search says %q (%d rows), brute force %q (%d rows; %s)", distrosParam(ds), got, len(rows), want.SHA1, len(want.Rows), want.Reason)
		}
		for _, row := range rows {
			if row.SHA1 != want.SHA1 || row.Status != "ready" {
				t.Fatalf("distros %s: row %+v", distrosParam(ds), row)
			}
		}
		if want.SHA1 != "" {
			found++
		}
		t.Logf("latest on %-60s %s", distrosParam(ds), orNone(want.SHA1, want.Reason))
		if len(ds) == 1 {
			d := ds[0]
			res := e.do("GET", "/api/repos/ceph/main/latest/"+d.Distro+"/"+d.Version+"/", false, nil)
			if want.SHA1 == "" {
				if res.code != 504 {
					t.Fatalf("latest/%s: %d, want 504", d, res.code)
				}
				continue
			}
			var rows []repoJSON
			if err := json.Unmarshal(res.body, &rows); err != nil || len(rows) == 0 || rows[0].SHA1 != want.SHA1 {
				t.Fatalf("latest/%s: %d %s, want %s", d, res.code, res.body, want.SHA1)
			}
		}
	}
	if found < 5 {
		t.Fatalf("only %d of 10 distro sets have a latest sha1: the data does not exercise latest", found)
	}
}

func orNone(sha1, reason string) string {
	if sha1 == "" {
		return "none: " + reason
	}
	return sha1
}
