package shaman

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"minka/api/repoquery"
	"minka/api/v1alpha1"
	simchacra "minka/sim/chacra"
	"minka/store"
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

// BenchmarkSearchLatestHTTP: GET /api/search/?sha1=latest&status=ready
// over HTTP with 10,000 Repos stored in etcd, answered from the index,
// next to what an implementation without one would do for the same
// question in the same run: list every Repo from etcd and scan it
// (b.ReportMetric's brute-p50/p99).
func BenchmarkSearchLatestHTTP(b *testing.B) {
	e := newEnv(b, simchacra.Options{CallbackURL: "-"})
	repos := benchRepos(10000)
	ctx := context.Background()
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, r := range repos {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			st := r.Status
			o, err := e.st.Create(ctx, r)
			if err != nil {
				b.Error(err)
				return
			}
			cur := o.(*v1alpha1.Repo)
			cur.Status = st
			if _, err := e.st.UpdateStatus(ctx, cur); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	e.eventually("the index holds 10,000 Repos with status", func() bool {
		n := 0
		for _, r := range e.h.Index().All() {
			if len(r.Status.Distros) > 0 {
				n++
			}
		}
		return n == len(repos)
	})
	want := repoquery.BruteForceLatest(repos, benchQuery)
	path := "/api/search/?project=ceph&ref=ref042&distros=ubuntu/xenial,centos/7&sha1=latest&status=ready"
	var ds, brute []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		got := e.do("GET", path, false, nil)
		ds = append(ds, time.Since(t))
		if got.code != 200 || !strings.Contains(string(got.body), want.SHA1) {
			b.Fatalf("%d %s, want sha1 %s", got.code, got.body, want.SHA1)
		}
		if i%10 == 0 { // the scan is slow: a tenth as many samples
			t = time.Now()
			l, err := e.st.List(ctx, repoKind, "", store.ListOptions{})
			if err != nil {
				b.Fatal(err)
			}
			var all []*v1alpha1.Repo
			for _, o := range l.GetItems() {
				all = append(all, o.(*v1alpha1.Repo))
			}
			if res := repoquery.BruteForceLatest(all, benchQuery); res.SHA1 != want.SHA1 {
				b.Fatalf("brute force over the store: %q, want %q", res.SHA1, want.SHA1)
			}
			brute = append(brute, time.Since(t))
		}
	}
	b.StopTimer()
	percentiles(b, ds)
	slices.Sort(brute)
	b.ReportMetric(float64(brute[len(brute)/2].Microseconds()), "brute-p50-µs")
	b.ReportMetric(float64(brute[len(brute)*99/100].Microseconds()), "brute-p99-µs")
}
