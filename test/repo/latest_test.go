package repo

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"minka/api/v1alpha1"
	"minka/sim/chacra"
)

// latestDistros are the ten distros of TestRepoLatestMatchesBruteForce,
// with the ubuntu numbers a query may use instead of the codename.
var latestDistros = []struct{ distro, version, number string }{
	{"ubuntu", "xenial", "16.04"}, {"ubuntu", "bionic", "18.04"}, {"ubuntu", "focal", "20.04"}, {"ubuntu", "jammy", "22.04"},
	{"ubuntu", "noble", "24.04"}, {"centos", "7", ""}, {"centos", "8", ""}, {"centos", "9", ""},
	{"debian", "bookworm", ""}, {"debian", "bullseye", ""},
}

// TestRepoLatestMatchesBruteForce: 50 Repos (one distro each) over 5
// sha1s of one ref, built in order with mixed outcomes per distro (ready,
// never uploaded, build hanging); for 10 distro sets the answers of
// `minka repos latest` and /shaman/api/search/?sha1=latest&status=ready
// are those of a brute-force check over the Repos' status.
func TestRepoLatestMatchesBruteForce(t *testing.T) {
	e := startChacraWorld(t, chacra.Options{})
	s, cli := repoServer(t, e)
	rng := rand.New(rand.NewSource(5))
	var sha1s []string
	outcomes := map[string]int{}
	for i := 0; i < 5; i++ {
		sha1 := fmt.Sprintf("%02x%038x", i+1, rng.Int63())
		sha1s = append(sha1s, sha1)
		kinds := map[string]string{}
		for j, d := range latestDistros {
			name := fmt.Sprintf("hello-%d-%d", i, j)
			apply(t, s, repoManifest(name, sha1, []string{d.distro + "/" + d.version}, ""))
			switch k := rng.Intn(10); {
			case k < 6:
				kinds[name] = "ready"
			case k < 8:
				kinds[name] = "waiting"
			default:
				kinds[name] = "hung"
			}
			outcomes[kinds[name]]++
		}
		for j, d := range latestDistros {
			name := fmt.Sprintf("hello-%d-%d", i, j)
			if kinds[name] == "waiting" {
				continue
			}
			r := waitRepo(t, cli, "ci", name, 20*time.Second, "placed", func(r *v1alpha1.Repo) bool { return r.Status.NodeURL != "" })
			node := e.cluster.Node(r.Status.NodeURL)
			if kinds[name] == "hung" {
				node.HangRepo(fmt.Sprintf("hello/main/%s/%s/%s/flavors/default", sha1, d.distro, d.version), true)
			}
			upload(t, node.URL(), "hello", "main", sha1, d.distro, d.version, "x86_64", pkgName(d.distro, "hello"), false)
		}
		for j := range latestDistros {
			name := fmt.Sprintf("hello-%d-%d", i, j)
			want := map[string]string{"ready": v1alpha1.RepoReady, "waiting": v1alpha1.RepoWaitingForBinaries, "hung": v1alpha1.RepoBuilding}[kinds[name]]
			waitRepo(t, cli, "ci", name, 30*time.Second, want, func(r *v1alpha1.Repo) bool {
				return len(r.Status.Distros) == 1 && r.Status.Distros[0].State == want
			})
		}
	}
	list, err := cli.List(t.Context(), repoKind, "ci", listLabel(""))
	if err != nil {
		t.Fatal(err)
	}
	var repos []*v1alpha1.Repo
	for _, it := range list.GetItems() {
		repos = append(repos, it.(*v1alpha1.Repo))
	}
	if len(repos) != 50 {
		t.Fatalf("%d Repos, want 50", len(repos))
	}
	agree, none := 0, 0
	for q := 0; q < 10; q++ {
		n := 1 + rng.Intn(3)
		var set, names []string
		for _, j := range rng.Perm(len(latestDistros))[:n] {
			d := latestDistros[j]
			v := d.version
			if d.number != "" && rng.Intn(2) == 0 {
				v = d.number
			}
			set = append(set, d.distro+"/"+v)
			names = append(names, d.distro+"/"+d.version)
		}
		want := bruteLatest(repos, names)
		distros := strings.Join(set, ",")
		out, errOut, code := Minka(t, s, "", "repos", "latest", "--project", "hello", "--ref", "main", "--distros", distros)
		got := strings.TrimSpace(out)
		if code != 0 {
			got = ""
		}
		if got != want {
			t.Errorf("minka repos latest --distros %s: %q (exit %d, %s), brute force %q", distros, got, code, strings.TrimSpace(errOut), want)
		}
		code2, body := shamanGet(t, s, "/api/search/?"+url.Values{"project": {"hello"}, "ref": {"main"}, "distros": {distros},
			"sha1": {"latest"}, "status": {"ready"}}.Encode())
		var rows []struct{ SHA1 string }
		if err := json.Unmarshal([]byte(body), &rows); code2 != 200 || err != nil {
			t.Fatalf("search: %d %s", code2, body)
		}
		got2 := ""
		for _, r := range rows {
			if got2 != "" && r.SHA1 != got2 {
				t.Errorf("search latest for %s mixes sha1s: %s", distros, body)
			}
			got2 = r.SHA1
		}
		if got2 != want || (want != "" && len(rows) != n) {
			t.Errorf("search latest --distros %s: %q in %d rows, brute force %q", distros, got2, len(rows), want)
		}
		if got == want && got2 == want {
			agree++
		}
		if want == "" {
			none++
		}
	}
	t.Logf("50 Repos over 5 sha1s (%v); 10 distro sets: CLI and search agree with brute force on %d (%d with no sha1 ready on all)", outcomes, agree, none)
}

// bruteLatest is the definition: among the sha1s Ready on every distro
// of set, the one whose newest ready repository (of those distros) is
// newest; ties to the lowest sha1; "" if none.
func bruteLatest(repos []*v1alpha1.Repo, set []string) string {
	type cand struct {
		newest time.Time
		have   map[string]bool
	}
	by := map[string]*cand{}
	for _, r := range repos {
		for _, d := range r.Status.Distros {
			key := d.Distro + "/" + d.Version
			if d.State != v1alpha1.RepoReady || !contains(set, key) || d.Modified == nil {
				continue
			}
			c := by[r.Spec.SHA1]
			if c == nil {
				c = &cand{have: map[string]bool{}}
				by[r.Spec.SHA1] = c
			}
			c.have[key] = true
			if d.Modified.After(c.newest) {
				c.newest = d.Modified.Time
			}
		}
	}
	var keys []string
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	best := ""
	for _, k := range keys {
		c := by[k]
		if len(c.have) != len(set) {
			continue
		}
		if best == "" || c.newest.After(by[best].newest) {
			best = k
		}
	}
	return best
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
