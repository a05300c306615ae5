package slavepool_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"minka/sim/fault"
	"minka/store"
	"minka/store/storetest"
)

// TestLostCreateRepliesMakeNoTwins: Nova server creates and Jenkins node
// creates that are applied but whose reply is lost (the connection reset,
// or no answer until the client's 300 ms timeout), at a seeded rate, over
// 50 seeded runs of a pool of 3. Each agent name is created exactly once
// at Nova and at Jenkins, and the pool ends with 3 servers, 3 nodes, 3
// agents online.
func TestLostCreateRepliesMakeNoTwins(t *testing.T) {
	runs := 50
	if testing.Short() {
		runs = 10
	}
	const batch = 10 // runs at once, each with its own etcd, world and controller
	var lost, hung, lostNova, lostNodes int
	start := time.Now()
	for first := firstSeed(); first < firstSeed()+runs; first += batch {
		last := min(first+batch, firstSeed()+runs) - 1
		// A subtest per batch, so that its etcds and worlds close with it.
		t.Run(fmt.Sprintf("seeds %d-%d", first, last), func(t *testing.T) {
			var rs []*lostRun
			for seed := first; seed <= last; seed++ {
				rs = append(rs, startLostRun(t, int64(seed)))
			}
			var wg sync.WaitGroup
			for _, r := range rs {
				wg.Add(1)
				go func() { defer wg.Done(); r.wait() }()
			}
			wg.Wait()
			for _, r := range rs {
				r.check(t)
				lostNova += r.w.novaCreates.lost
				lostNodes += r.w.nodeCreates.lost
				if r.failure == fault.AppliedHang {
					hung++
				} else {
					lost++
				}
			}
		})
	}
	t.Logf("%d seeded runs (%d with applied-reset, %d with applied-hang) in %v: %d Nova creates and %d Jenkins node creates lost their reply",
		runs, lost, hung, time.Since(start).Round(time.Millisecond), lostNova, lostNodes)
}

// lostRun is one seeded run: a pool of 3 whose creates lose their replies.
type lostRun struct {
	seed    int64
	failure string
	rate    float64
	st      *store.Store
	w       *simWorld
	stop    func()
	ns      string
	ready   int32
}

func startLostRun(t *testing.T, seed int64) *lostRun {
	rng := rand.New(rand.NewSource(seed))
	r := &lostRun{seed: seed, failure: []string{fault.AppliedReset, fault.AppliedHang}[rng.Intn(2)], rate: 0.3 + 0.4*rng.Float64(),
		ns: fmt.Sprintf("run-%d", seed)}
	if f := os.Getenv("MINKA_FAILURE"); f != "" {
		r.failure = f // to replay with one kind of lost reply
	}
	st, e := storetest.Store(t) // a store of its own: no pool of another run
	r.st, r.w = st, startWorld(t, seed, 1)
	t.Cleanup(r.w.stop)
	if err := r.w.clouds[0].SetFault(fault.Fault{Match: "POST /compute/v2.1/servers", Failure: r.failure, ErrorRate: r.rate}); err != nil {
		t.Fatal(err)
	}
	if err := r.w.jenkins.Faults.Set(fault.Fault{Match: "POST /computer/doCreateItem", Failure: r.failure, ErrorRate: r.rate}); err != nil {
		t.Fatal(err)
	}
	r.stop = runController(t, st, e, r.w.backends)
	if _, err := st.Create(context.Background(), newPool(r.ns, "trusty", "default", 3)); err != nil {
		t.Fatal(err)
	}
	return r
}

// wait lets the run converge (3 online, 3 servers), then a pass more.
func (r *lostRun) wait() {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if p := getPool(r.st, r.ns, "trusty"); p != nil {
			r.ready = p.Status.Ready
		}
		if r.ready == 3 && len(r.w.clouds[0].Servers()) == 3 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a pass more, to catch a late twin
	r.stop()
}

func (r *lostRun) check(t *testing.T) {
	servers := r.w.clouds[0].Servers()
	names := map[string]int{}
	for _, s := range servers {
		names[s.Name]++
	}
	nodes := 0
	for _, n := range r.w.jenkins.NodeNames() {
		if strings.HasPrefix(n, "trusty-") {
			nodes++
		}
	}
	switch {
	case len(r.w.novaCreates.twice()) > 0 || len(r.w.nodeCreates.twice()) > 0:
		t.Errorf("seed %d (%s at %.2f): a name created more than once: Nova %v, Jenkins %v; servers now %d %v",
			r.seed, r.failure, r.rate, r.w.novaCreates.twice(), r.w.nodeCreates.twice(), len(servers), names)
	case len(servers) != 3 || len(names) != 3 || nodes != 3 || r.ready != 3:
		t.Errorf("seed %d (%s at %.2f): %d servers (%d names), %d nodes, %d ready; want 3 of each; events:\n%s",
			r.seed, r.failure, r.rate, len(servers), len(names), nodes, r.ready, eventsOf(r.st, r.ns))
	}
}

// firstSeed is 1, or MINKA_SEED to replay one run.
func firstSeed() int {
	if s, err := strconv.Atoi(os.Getenv("MINKA_SEED")); err == nil {
		return s
	}
	return 1
}
