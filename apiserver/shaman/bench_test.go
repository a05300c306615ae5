package shaman

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
	"time"

	"minka/api/repoquery"
	"minka/api/v1alpha1"
	simchacra "minka/sim/chacra"
)

// percentiles reports p50 and p99 of ds (ns) as metrics of b.
func percentiles(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkCallbackToStatus: a chacra callback POSTed over HTTP until
// the Repo's status is written to etcd (the answer comes after the
// write).
func BenchmarkCallbackToStatus(b *testing.B) {
	e := newEnv(b, simchacra.Options{CallbackURL: "-"})
	sha1 := "0123456789abcdef0123456789abcdef01234567"
	e.create(declared("bench", "hello", sha1, "default", v1alpha1.Distro{Distro: "ubuntu", Version: "jammy", Arch: "x86_64"}))
	m := readyDeb(b)
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A newer modified each time: every callback is a write.
		m["modified"] = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond).Format("2006-01-02 15:04:05.000000")
		m["status"] = []string{"queued", "building", "ready"}[i%3]
		t := time.Now()
		if got := e.do("POST", "/api/repos/hello/", true, m); got.code != 200 {
			b.Fatalf("%d %s", got.code, got.body)
		}
		ds = append(ds, time.Since(t))
	}
	b.StopTimer()
	percentiles(b, ds)
}

func benchRepos(n int) []*v1alpha1.Repo {
	rng := rand.New(rand.NewSource(10000))
	var out []*v1alpha1.Repo
	for i := 0; i < n; i++ {
		// 100 refs of 100 Repos over 20 sha1s each.
		r := mixedRepo(rng, i, fmt.Sprintf("%040x", 1+rng.Intn(20)))
		r.Spec.Ref = fmt.Sprintf("ref%03d", i%100)
		out = append(out, r)
	}
	return out
}

var benchQuery = repoquery.Query{Project: "ceph", Ref: "ref042", Distros: []repoquery.DistroQuery{{Distro: "ubuntu", Version: "xenial"}, {Distro: "centos", Version: "7"}}}

// BenchmarkLatest: latest over 10,000 Repos from the index, which reads
// only the Repos of the ref.
func BenchmarkLatest(b *testing.B) {
	repos := benchRepos(10000)
	x := repoquery.NewIndex()
	for _, r := range repos {
		x.Set(r)
	}
	want := repoquery.BruteForceLatest(repos, benchQuery)
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		got := x.Latest(benchQuery)
		ds = append(ds, time.Since(t))
		if got.SHA1 != want.SHA1 {
			b.Fatalf("index %q, brute force %q", got.SHA1, want.SHA1)
		}
	}
	b.StopTimer()
	percentiles(b, ds)
}

// BenchmarkLatestBruteForce: the same question by BruteForceLatest over
// all 10,000 Repos.
func BenchmarkLatestBruteForce(b *testing.B) {
	repos := benchRepos(10000)
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		repoquery.BruteForceLatest(repos, benchQuery)
		ds = append(ds, time.Since(t))
	}
	b.StopTimer()
	percentiles(b, ds)
}
