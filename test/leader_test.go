package test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"minka/store/storetest"
)

const electionPrefix = "/minka-leader/controllers"

// leading reads leader_election_master_status from a server's /metrics.
func leading(s *Server) bool {
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.Contains(string(b), `leader_election_master_status{name="`+electionPrefix+`"} 1`)
}

// electionHistory records every change of the election keys, so the test
// can say who led at any etcd revision.
type electionHistory struct {
	mu     sync.Mutex
	events []*clientv3.Event
}

func (h *electionHistory) follow(ctx context.Context, cli *clientv3.Client) {
	for resp := range cli.Watch(ctx, electionPrefix, clientv3.WithPrefix(), clientv3.WithRev(1)) {
		h.mu.Lock()
		h.events = append(h.events, resp.Events...)
		h.mu.Unlock()
	}
}

// leaderAt is the candidate whose key has the lowest create revision among
// the keys alive at rev: the winner, by etcd's election rules.
func (h *electionHistory) leaderAt(rev int64) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	type cand struct {
		create int64
		who    string
	}
	alive := map[string]cand{}
	for _, ev := range h.events {
		if ev.Kv.ModRevision > rev {
			break
		}
		if ev.Type == mvccpb.DELETE {
			delete(alive, string(ev.Kv.Key))
		} else {
			alive[string(ev.Kv.Key)] = cand{create: ev.Kv.CreateRevision, who: string(ev.Kv.Value)}
		}
	}
	var all []cand
	for _, c := range alive {
		all = append(all, c)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].create < all[j].create })
	if len(all) == 0 {
		return ""
	}
	return all[0].who
}

// TestLeaderFailoverIsFenced: one external etcd, three `minka server`
// processes. Orphan Builds keep arriving; the leader's garbage collector
// deletes each and records an event, stamped with its identity, through its
// fenced store. kill -9 the leader: another must lead within the lease, and
// every event must have been written at a revision where its writer held
// the leader key.
func TestLeaderFailoverIsFenced(t *testing.T) {
	e := storetest.Etcd(t)
	const lease = 5 * time.Second
	var servers []*Server
	for i := 0; i < 3; i++ {
		servers = append(servers, StartServer(t, "--etcd-endpoints", e.Endpoints[0], "--leader-elect-lease-duration", lease.String()))
	}
	hctx, hcancel := context.WithCancel(context.Background())
	defer hcancel()
	hist := &electionHistory{}
	go hist.follow(hctx, e.Client)

	leader := waitLeader(t, servers, 30*time.Second)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); createOrphans(t, servers, stop) }()

	time.Sleep(3 * time.Second)
	killed := servers[leader]
	_ = killed.Kill()
	crash := time.Now()
	rest := append(append([]*Server{}, servers[:leader]...), servers[leader+1:]...)
	next := waitLeader(t, rest, 3*lease)
	failover := time.Since(crash)
	if failover > lease+3*time.Second {
		t.Errorf("new leader after %v, want within the %v lease (+3s slack)", failover, lease)
	}
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()

	waitNoBuilds(t, rest[next])
	r := call(t, rest[next], "GET", "/apis/minka.dev/v1alpha1/events?fieldSelector=reason%3DOwnerGone", "", "")
	items, _ := r.body["items"].([]any)
	byWriter := map[string]int{}
	for _, it := range items {
		ev := it.(map[string]any)
		meta := ev["metadata"].(map[string]any)
		rev, _ := strconv.ParseInt(meta["resourceVersion"].(string), 10, 64)
		who := ev["source"].(map[string]any)["host"].(string)
		byWriter[who]++
		if at := hist.leaderAt(rev); at != who {
			t.Errorf("event %s written by %s at revision %d, when the leader was %q", meta["name"], who, rev, at)
		}
	}
	if len(byWriter) < 2 {
		t.Errorf("events by writer %v: want both the killed and the new leader to have collected", byWriter)
	}
	t.Logf("failover %v after kill -9 (lease %v); %d collections fenced and checked, by writer %v", failover.Round(10*time.Millisecond), lease, len(items), byWriter)
}

func waitLeader(t *testing.T, servers []*Server, within time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var leaders []int
		for i, s := range servers {
			if leading(s) {
				leaders = append(leaders, i)
			}
		}
		if len(leaders) > 1 {
			t.Fatalf("servers %v all report leading", leaders)
		}
		if len(leaders) == 1 {
			return leaders[0]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no leader within %v", within)
	return -1
}

// createOrphans posts Builds owned by a Pipeline that does not exist, to
// any live server, until stop closes.
func createOrphans(t *testing.T, servers []*Server, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-time.After(100 * time.Millisecond):
		}
		body := fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"Build","metadata":{"name":"orphan-%d","namespace":"ci",`+
			`"ownerReferences":[{"apiVersion":"minka.dev/v1alpha1","kind":"Pipeline","name":"gone","uid":"uid-gone"}]},"spec":{"pipeline":"gone","branch":"master"}}`, i)
		for _, s := range servers {
			req, _ := http.NewRequest("POST", s.URL+"/apis/minka.dev/v1alpha1/namespaces/ci/builds", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				break
			}
		}
	}
}

func waitNoBuilds(t *testing.T, s *Server) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		r := call(t, s, "GET", "/apis/minka.dev/v1alpha1/namespaces/ci/builds", "", "")
		if items, _ := r.body["items"].([]any); len(items) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("orphan builds still there 30s after the last was created")
}
