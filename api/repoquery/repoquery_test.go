package repoquery

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

func TestRelease(t *testing.T) {
	for _, c := range []struct{ distro, version, code, num string }{
		{"ubuntu", "xenial", "xenial", "16.04"},
		{"ubuntu", "16.04", "xenial", "16.04"},
		{"ubuntu", "22.04", "jammy", "22.04"},
		{"debian", "11", "bullseye", "11"},
		{"debian", "bullseye", "bullseye", "11"},
		{"centos", "7", "", "7"},
		{"ubuntu", "noble", "noble", "24.04"},
		{"ubuntu", "24.04", "noble", "24.04"},
		{"debian", "12", "bookworm", "12"},
		{"ubuntu", "99.04", "", "99.04"},
		{"ubuntu", "zorro", "zorro", ""},
		{"centos", "", "", ""},
	} {
		code, num := Release(c.distro, c.version)
		if code != c.code || num != c.num {
			t.Errorf("Release(%s, %s) = %q, %q; want %q, %q", c.distro, c.version, code, num, c.code, c.num)
		}
	}
	if !SameRelease("ubuntu", "16.04", "ubuntu", "xenial") || SameRelease("ubuntu", "16.04", "debian", "xenial") || SameRelease("centos", "7", "centos", "8") {
		t.Error("SameRelease is wrong")
	}
}

func TestParseDistros(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []DistroQuery
		err  string
	}{
		{"", nil, ""},
		{"ubuntu/xenial", []DistroQuery{{"ubuntu", "xenial", ""}}, ""},
		{"ubuntu/22.04/x86_64,centos/9", []DistroQuery{{"ubuntu", "22.04", "x86_64"}, {"centos", "9", ""}}, ""},
		{"centos", nil, "Invalid version or codename for distro: centos"},
		{"centos/", nil, "Invalid version or codename for distro: centos"},
		{"ubuntu/xenial,debian", nil, "Invalid version or codename for distro: debian"},
		{"ubuntu/a/b/c", nil, "Invalid version or codename for distro: ubuntu"},
	} {
		got, err := ParseDistros(c.in)
		if fmt.Sprint(err) != fmt.Sprint(errOrNil(c.err)) || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("ParseDistros(%q) = %v, %v; want %v, %q", c.in, got, err, c.want, c.err)
		}
	}
}

func errOrNil(s string) error {
	if s == "" {
		return nil
	}
	return fmt.Errorf("%s", s)
}

var t0 = time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)

func ds(distro, version, arch, state string, min int) v1alpha1.DistroState {
	m := metav1.NewMicroTime(t0.Add(time.Duration(min) * time.Minute))
	return v1alpha1.DistroState{Distro: distro, Version: version, Arch: arch, State: state, Modified: &m,
		ChacraURL: "http://c/repos/" + distro + "/" + version + "/", URL: "http://c/r/" + distro + "/" + version + "/"}
}

func repo(name, sha1, flavor string, d ...v1alpha1.DistroState) *v1alpha1.Repo {
	return &v1alpha1.Repo{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name},
		Spec:   v1alpha1.RepoSpec{Project: "ceph", Ref: "main", SHA1: sha1, Flavor: flavor},
		Status: v1alpha1.RepoStatus{Distros: d}}
}

func TestLatest(t *testing.T) {
	const a, b, c = "aaaa", "bbbb", "cccc"
	R, B := v1alpha1.RepoReady, v1alpha1.RepoBuilding
	repos := []*v1alpha1.Repo{
		repo("a", a, "default", ds("ubuntu", "xenial", "x86_64", R, 1), ds("centos", "7", "x86_64", R, 2)),
		repo("b", b, "default", ds("ubuntu", "16.04", "x86_64", R, 5), ds("centos", "7", "x86_64", B, 6)),
		repo("c", c, "notcmalloc", ds("ubuntu", "xenial", "x86_64", R, 9), ds("ubuntu", "xenial", "aarch64", R, 3)),
		repo("d", c, "default", ds("centos", "7", "x86_64", R, 4)),
	}
	for _, tc := range []struct {
		name string
		q    Query
		sha1 string
		rows []string
	}{
		{"both distros: b is not ready on centos", Query{Project: "ceph", Ref: "main", Flavor: "default",
			Distros: []DistroQuery{{"ubuntu", "16.04", ""}, {"centos", "7", ""}}}, a, []string{"a", "a"}},
		{"ubuntu only: b newest, codename or number", Query{Project: "ceph", Ref: "main", Flavor: "default",
			Distros: []DistroQuery{{"ubuntu", "xenial", ""}}}, b, []string{"b"}},
		{"any flavor: c's two Repos together cover both", Query{Project: "ceph", Ref: "main",
			Distros: []DistroQuery{{"ubuntu", "xenial", ""}, {"centos", "7", ""}}}, c, []string{"c", "d"}},
		{"arch aarch64 only c has it", Query{Project: "ceph", Ref: "main", Arch: "aarch64",
			Distros: []DistroQuery{{"ubuntu", "xenial", ""}}}, c, []string{"c"}},
		{"no such distro", Query{Project: "ceph", Ref: "main", Distros: []DistroQuery{{"debian", "11", ""}}}, "", nil},
		{"other ref", Query{Project: "ceph", Ref: "next", Distros: []DistroQuery{{"centos", "7", ""}}}, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, got := range map[string]Result{"Latest": Latest(repos, tc.q), "Brute": BruteForceLatest(repos, tc.q)} {
				var rows []string
				for _, r := range got.Rows {
					rows = append(rows, r.Repo.Name)
				}
				if got.SHA1 != tc.sha1 || fmt.Sprint(rows) != fmt.Sprint(tc.rows) {
					t.Errorf("%s = %q %v; want %q %v", name, got.SHA1, rows, tc.sha1, tc.rows)
				}
				if got.SHA1 == "" && got.Reason == "" {
					t.Errorf("%s: no sha1 and no reason", name)
				}
			}
		})
	}
}

func TestFilterLatestIsShamans(t *testing.T) {
	R := v1alpha1.RepoReady
	repos := []*v1alpha1.Repo{
		repo("a", "aaaa", "default", ds("ubuntu", "jammy", "x86_64", R, 1), ds("centos", "9", "noarch", R, 0)),
		repo("b", "aaaa", "notcmalloc", ds("ubuntu", "jammy", "x86_64", R, 2)),
	}
	got := Filter(repos, Search{Project: "ceph", Ref: "main", SHA1: "latest", Distros: []DistroQuery{{"ubuntu", "jammy", ""}, {"centos", "9", ""}}})
	if len(got) != 2 || got[0].Repo.Name != "b" || got[1].Repo.Name != "a" || got[1].Distro != "centos" {
		t.Fatalf("newest repo per distro, flavor not filtered: got %v", got)
	}
	if got := Filter(repos, Search{Status: "ready", Flavor: "notcmalloc"}); len(got) != 1 || got[0].Flavor() != "notcmalloc" {
		t.Fatalf("status+flavor: %v", got)
	}
	if got := Filter(repos, Search{Project: "ceph"}); len(got) != 3 || got[0].Repo.Name != "b" {
		t.Fatalf("project, newest first: %v", got)
	}
}

// randomRepos builds n Repos of one ref over sha1s, each distro of each
// Repo in a random state at a random time.
func randomRepos(rng *rand.Rand, n, sha1s int, refs ...string) []*v1alpha1.Repo {
	states := []string{v1alpha1.RepoReady, v1alpha1.RepoReady, v1alpha1.RepoBuilding, v1alpha1.RepoQueued, v1alpha1.RepoFailed, v1alpha1.RepoRequested}
	releases := [][2]string{{"ubuntu", "xenial"}, {"ubuntu", "16.04"}, {"ubuntu", "trusty"}, {"centos", "7"}, {"centos", "8"}, {"debian", "11"}}
	flavors := []string{"default", "default", "notcmalloc"}
	var out []*v1alpha1.Repo
	for i := 0; i < n; i++ {
		sha1 := fmt.Sprintf("%040x", rng.Intn(sha1s)+1)
		var d []v1alpha1.DistroState
		seen := map[string]bool{}
		for j := 0; j < 1+rng.Intn(4); j++ {
			rel := releases[rng.Intn(len(releases))]
			arch := []string{"x86_64", "aarch64"}[rng.Intn(2)]
			if k := VersionKey(rel[0], rel[1]) + arch; !seen[k] {
				seen[k] = true
				d = append(d, ds(rel[0], rel[1], arch, states[rng.Intn(len(states))], rng.Intn(50)))
			}
		}
		r := repo(fmt.Sprintf("r%05d", i), sha1, flavors[rng.Intn(len(flavors))], d...)
		if len(refs) > 0 {
			r.Spec.Ref = refs[rng.Intn(len(refs))]
		}
		out = append(out, r)
	}
	return out
}

func randomQuery(rng *rand.Rand) Query {
	all := []DistroQuery{{"ubuntu", "16.04", ""}, {"ubuntu", "xenial", "x86_64"}, {"ubuntu", "14.04", ""}, {"centos", "7", ""},
		{"centos", "8", "aarch64"}, {"debian", "bullseye", ""}}
	q := Query{Project: "ceph", Ref: "main"}
	for _, i := range rng.Perm(len(all))[:rng.Intn(4)] {
		q.Distros = append(q.Distros, all[i])
	}
	q.Flavor = []string{"", "default", "notcmalloc"}[rng.Intn(3)]
	q.Arch = []string{"", "", "x86_64"}[rng.Intn(3)]
	return q
}

// TestIndexAgreesWithBruteForce: on random Repos with mixed per-distro
// outcomes, the index's Latest and BruteForceLatest give the same sha1
// and rows, through adds, updates and deletes.
func TestIndexAgreesWithBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	found := 0
	for round := 0; round < 200; round++ {
		repos := randomRepos(rng, 1+rng.Intn(60), 1+rng.Intn(6), "main", "main", "next")
		x := NewIndex()
		for _, r := range repos {
			x.Set(r)
		}
		// Churn: replace some, delete some, the slice following.
		for i := 0; i < 5 && len(repos) > 1; i++ {
			j := rng.Intn(len(repos))
			if rng.Intn(2) == 0 {
				x.Delete(repos[j].Namespace, repos[j].Name)
				repos = append(repos[:j], repos[j+1:]...)
			} else {
				nr := randomRepos(rng, 1, 6, "main")[0]
				nr.Name = repos[j].Name
				x.Set(nr)
				repos[j] = nr
			}
		}
		if x.Len() != len(repos) {
			t.Fatalf("round %d: index holds %d, want %d", round, x.Len(), len(repos))
		}
		for k := 0; k < 10; k++ {
			q := randomQuery(rng)
			got, want := x.Latest(q), BruteForceLatest(repos, q)
			if got.SHA1 != want.SHA1 || fmt.Sprint(names(got.Rows)) != fmt.Sprint(names(want.Rows)) {
				t.Fatalf("round %d query %+v: index %q %v, brute force %q %v", round, q, got.SHA1, names(got.Rows), want.SHA1, names(want.Rows))
			}
			if got.SHA1 != "" {
				found++
			}
		}
	}
	t.Logf("2000 random queries agreed, %d with a sha1", found)
	if found < 200 {
		t.Fatalf("only %d queries found a sha1: the data does not exercise latest", found)
	}
}

func names(rows []Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Repo.Name+":"+r.Distro+"/"+r.Version)
	}
	return out
}

func TestRowsGathersArchs(t *testing.T) {
	r := repo("a", "aaaa", "", ds("ubuntu", "xenial", "x86_64", v1alpha1.RepoReady, 1), ds("ubuntu", "16.04", "aarch64", v1alpha1.RepoBuilding, 2),
		v1alpha1.DistroState{Distro: "centos", Version: "7", State: v1alpha1.RepoWaitingForBinaries})
	rows := Rows(r, "")
	if len(rows) != 1 || rows[0].State != v1alpha1.RepoBuilding || fmt.Sprint(rows[0].Archs) != "[aarch64 x86_64]" || !rows[0].Modified.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("rows = %+v", rows)
	}
	if rows := Rows(r, "x86_64"); len(rows) != 1 || rows[0].State != v1alpha1.RepoReady {
		t.Fatalf("x86_64 rows = %+v", rows)
	}
}
