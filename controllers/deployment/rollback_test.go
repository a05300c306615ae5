package deployment_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"minka/api/v1alpha1"
	"minka/controllers/deployment"
	"minka/sim/fault"
	simmarathon "minka/sim/marathon"
	"minka/store"
	"minka/store/storetest"
)

// errInjected is the failure of the one write failingKV refuses.
var errInjected = errors.New("injected: etcd did not answer the write")

// failingKV is the etcd client's KV with one fault: once armed, the next
// transaction that puts key fails without reaching etcd, as a write does
// when etcd times out or the leader's fence has moved. Everything else
// goes to the real etcd.
type failingKV struct {
	clientv3.KV
	key string

	mu     sync.Mutex
	armed  bool
	failed int
}

func (kv *failingKV) arm() {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if kv.failed == 0 {
		kv.armed = true
	}
}

func (kv *failingKV) failures() int {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	return kv.failed
}

// take reports whether a write of ops is the one to fail.
func (kv *failingKV) take(ops []clientv3.Op) bool {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	for _, op := range ops {
		if kv.armed && op.IsPut() && string(op.KeyBytes()) == kv.key {
			kv.armed = false
			kv.failed++
			return true
		}
	}
	return false
}

func (kv *failingKV) Txn(ctx context.Context) clientv3.Txn {
	return &failingTxn{Txn: kv.KV.Txn(ctx), kv: kv}
}

type failingTxn struct {
	clientv3.Txn
	kv  *failingKV
	ops []clientv3.Op
}

func (t *failingTxn) If(cs ...clientv3.Cmp) clientv3.Txn { t.Txn = t.Txn.If(cs...); return t }
func (t *failingTxn) Then(ops ...clientv3.Op) clientv3.Txn {
	t.ops = append(t.ops, ops...)
	t.Txn = t.Txn.Then(ops...)
	return t
}
func (t *failingTxn) Else(ops ...clientv3.Op) clientv3.Txn { t.Txn = t.Txn.Else(ops...); return t }

func (t *failingTxn) Commit() (*clientv3.TxnResponse, error) {
	if t.kv.take(t.ops) {
		return nil, errInjected
	}
	return t.Txn.Commit()
}

// storeWithFault is the real store on an embedded etcd, whose client
// fails the one Deployment write kv is armed for.
func storeWithFault(t *testing.T, key string) (*store.Store, *store.Etcd, *failingKV) {
	e := storetest.Etcd(t)
	kv := &failingKV{KV: e.Client.KV, key: key}
	cli := clientv3.NewCtxClient(context.Background())
	cli.KV, cli.Watcher, cli.Lease = kv, e.Client.Watcher, e.Client.Lease
	return store.New(cli, store.Options{}), e, kv
}

// TestRollbackIsDoneOnce: an image that never gets healthy is rolled
// back after its progress deadline, and the rollback is interrupted:
// the status write after the rollback PUT fails (etcd does not answer
// it), or the rollback PUT itself fails. Neither may make the next pass
// take the rolled-back app for drift: the failed image is PUT once and
// never again, the app ends on the good image, and the Deployment ends
// rolled back and available.
func TestRollbackIsDoneOnce(t *testing.T) {
	const good, bad = "registry.example.com/webapp:1", "registry.example.com/webapp:bad"
	cases := []struct {
		reason string
		// interrupt arms the fault once the failing image's PUT is in;
		// interrupted says it has struck.
		interrupt   func(env *marathonEnv, kv *failingKV)
		interrupted func(env *marathonEnv, kv *failingKV) bool
	}{
		{"the status write after the rollback PUT fails",
			func(env *marathonEnv, kv *failingKV) { env.log.setOnRollback(kv.arm) },
			func(_ *marathonEnv, kv *failingKV) bool { return kv.failures() == 1 }},
		{"the rollback PUT fails (503)",
			func(env *marathonEnv, _ *failingKV) {
				if err := env.sim.Faults.Set(fault.Fault{Match: "PUT /v2/apps/ci/web", Failure: fault.Unavailable, Count: 1}); err != nil {
					t.Fatal(err)
				}
			},
			func(env *marathonEnv, _ *failingKV) bool { return rollbacks(env.log.of("/ci/web")) >= 2 }},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			st, e, kv := storeWithFault(t, "/minka/deployments/ci/web")
			env := startMarathon(t, simmarathon.Options{StageDelay: 50 * time.Millisecond, HealthDelay: 50 * time.Millisecond}, 2*time.Second)
			stop := runController(t, env, st, e)
			defer stop()
			if _, err := st.Create(context.Background(), webDeployment("ci", good, 60)); err != nil {
				t.Fatal(err)
			}
			if d, ok := waitFor(st, "ci", 20*time.Second, available); !ok {
				t.Fatalf("not available at %s within 20s: %+v", good, d.Status)
			}
			env.sim.MarkImageBad(bad)
			setImage(t, st, "ci", bad, 1)
			if _, ok := waitFor(st, "ci", 10*time.Second, func(*v1alpha1.Deployment) bool { return len(env.log.of("/ci/web")) == 2 }); !ok {
				t.Fatalf("%s not PUT within 10s: PUTs %s", bad, describe(env.log.of("/ci/web")))
			}
			tc.interrupt(env, kv)
			if _, ok := waitFor(st, "ci", 20*time.Second, func(*v1alpha1.Deployment) bool { return tc.interrupted(env, kv) }); !ok {
				t.Fatalf("the fault did not strike within 20s; PUTs %s", describe(env.log.of("/ci/web")))
			}
			time.Sleep(4 * time.Second) // several passes, and a progress deadline, after the fault
			d, settled := waitFor(st, "ci", 10*time.Second, func(d *v1alpha1.Deployment) bool {
				return d.Status.FailedGeneration == 2 && isTrue(d, deployment.Degraded, deployment.ReasonRolledBack) &&
					isTrue(d, deployment.Available, deployment.ReasonAllReplicasReady)
			})

			puts := env.log.of("/ci/web")
			badPuts, seen, badAfterRollback := 0, 0, 0
			for _, p := range puts {
				switch {
				case p.image == bad:
					badPuts++
					if seen > 0 {
						badAfterRollback++
					}
				case p.version != "":
					seen++
				}
			}
			if badPuts != 1 || badAfterRollback != 0 {
				t.Errorf("%s PUT %d times (%d after the rollback), want once and never after: the rolled-back app was taken for drift; PUTs %s",
					bad, badPuts, badAfterRollback, describe(puts))
			}
			if img := env.liveImage("/ci/web"); img != good {
				t.Errorf("Marathon runs %q, want %s", img, good)
			}
			if !settled {
				t.Errorf("not rolled back and available at generation 2: failedGeneration %d, conditions %+v", d.Status.FailedGeneration, d.Status.Conditions)
			}
			// The revision of the failed generation is recorded once,
			// RolledBack, whichever write was lost.
			if got := history(d); got != "1:"+good+":Good@1 2:"+bad+":RolledBack@2" {
				t.Errorf("history %s, want revision 1 Good and 2 RolledBack", got)
			}
			t.Logf("status writes failed: %d; PUTs: %s; Marathon runs %s", kv.failures(), describe(puts), env.liveImage("/ci/web"))
		})
	}
}

// rollbacks counts the PUTs that roll back to a version.
func rollbacks(puts []appPut) int {
	n := 0
	for _, p := range puts {
		if p.version != "" {
			n++
		}
	}
	return n
}

func describe(puts []appPut) string {
	s := ""
	for i, p := range puts {
		if i > 0 {
			s += ", "
		}
		if p.version != "" {
			s += "rollback to " + p.version
		} else {
			s += p.image
		}
		if p.lost {
			s += " (reply lost)"
		}
	}
	return fmt.Sprintf("[%s]", s)
}
