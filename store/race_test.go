package store_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/storetest"
)

// TestRacingWritersOneWinsEachRevision has many writers read-modify-write
// one counter with optimistic concurrency. If two writes from the same
// resourceVersion ever both landed, an increment would be lost and the
// counter would fall short of the number of successful writes.
func TestRacingWritersOneWinsEachRevision(t *testing.T) {
	s, e := storetest.Store(t)
	c := ctx(t)
	obj, err := s.Create(c, newDeploy("ci", "web"))
	if err != nil {
		t.Fatal(err)
	}
	const writers, rounds = 16, 20
	var (
		mu        sync.Mutex
		wins      = map[string]int{} // resourceVersion read -> successful writes from it
		conflicts int
		wg        sync.WaitGroup
	)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				cur, err := s.Get(c, deployKind, "ci", "web")
				if err != nil {
					t.Error(err)
					return
				}
				d := cur.(*v1alpha1.Deployment).DeepCopy()
				n, _ := strconv.Atoi(d.Annotations["count"])
				if d.Annotations == nil {
					d.Annotations = map[string]string{}
				}
				d.Annotations["count"] = strconv.Itoa(n + 1)
				_, err = s.Update(c, d)
				mu.Lock()
				switch {
				case err == nil:
					wins[cur.GetResourceVersion()]++
				case errors.Is(err, store.ErrConflict):
					conflicts++
				default:
					t.Error(err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	total := 0
	for rv, n := range wins {
		if n != 1 {
			t.Errorf("%d writes succeeded from resourceVersion %s, want exactly 1", n, rv)
		}
		total += n
	}
	final, _ := s.Get(c, deployKind, "ci", "web")
	if got := final.GetAnnotations()["count"]; got != strconv.Itoa(total) {
		t.Errorf("counter = %s after %d successful writes: an increment was lost", got, total)
	}
	if total+conflicts != writers*rounds {
		t.Errorf("%d wins + %d conflicts != %d attempts", total, conflicts, writers*rounds)
	}
	// Every successful write is one etcd revision of the key.
	resp, _ := e.Client.Get(c, "/minka/deployments/ci/web")
	if v := resp.Kvs[0].Version; v != int64(total)+1 {
		t.Errorf("key version %d, want %d (create + one per win)", v, total+1)
	}
	t.Logf("%d writers x %d rounds: %d wins, %d conflicts", writers, rounds, total, conflicts)
	_ = obj
}
