package deployment_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"minka/api/v1alpha1"
	"minka/controllers/deployment"
	"minka/sim/fault"
	simmarathon "minka/sim/marathon"
	"minka/store"
	"minka/store/storetest"
)

// TestBackendErrorEvents: Marathon's 503, its 409 "locked" and its 422
// each set Degraded with their own reason, and the Warning event has that
// reason too, once, however often the pass is retried meanwhile.
func TestBackendErrorEvents(t *testing.T) {
	st, e := storetest.Store(t)
	eventKind, _ := v1alpha1.KindFor("Event")
	backendReasons := map[string]bool{deployment.ReasonMarathonUnavailable: true, deployment.ReasonAppLocked: true, deployment.ReasonAppRejected: true}
	cases := []struct {
		reason string
		fault  fault.Fault
		want   string // the condition's and the event's reason
	}{
		{"Marathon answers 503 to everything", fault.Fault{Failure: fault.Unavailable}, deployment.ReasonMarathonUnavailable},
		{"a deployment holds the app: 409 to the PUT", fault.Fault{Match: "PUT /v2/apps", Failure: simmarathon.Locked}, deployment.ReasonAppLocked},
		{"Marathon finds the definition invalid: 422 to the PUT", fault.Fault{Match: "PUT /v2/apps", Failure: "invalid"}, deployment.ReasonAppRejected},
	}
	for i, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			env := startMarathon(t, simmarathon.Options{}, time.Second)
			env.sim.Faults.Define("invalid", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnprocessableEntity)
				_, _ = w.Write([]byte(`{"message":"Object is not valid","details":[{"path":"/container/docker/image","errors":["error.pattern"]}]}`))
			})
			if err := env.sim.Faults.Set(tc.fault); err != nil {
				t.Fatal(err)
			}
			reg := prometheus.NewRegistry()
			stop := runControllerWith(t, env, st, e, reg)
			ns := fmt.Sprintf("errors-%d", i)
			if _, err := st.Create(context.Background(), webDeployment(ns, "registry.example.com/webapp:1", 60)); err != nil {
				t.Fatal(err)
			}
			d, ok := waitFor(st, ns, 10*time.Second, func(d *v1alpha1.Deployment) bool { return isTrue(d, deployment.Degraded, tc.want) })
			if !ok {
				t.Fatalf("%s: Degraded not %s within 10s: %+v", tc.reason, tc.want, d.Status.Conditions)
			}
			// Let the pass fail several times more.
			retries := func() float64 {
				return counter(reg, "controller_runtime_reconcile_errors_total", "controller", deployment.Name)
			}
			for deadline := time.Now().Add(10 * time.Second); retries() < 5 && time.Now().Before(deadline); {
				time.Sleep(50 * time.Millisecond)
			}
			stop()
			forget(t, st, ns)

			list, err := st.List(context.Background(), eventKind, ns, store.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int32{} // backend reason -> count
			for _, o := range list.GetItems() {
				if ev := o.(*v1alpha1.Event); backendReasons[ev.Reason] {
					got[ev.Reason] += ev.Count
				}
			}
			if diff := cmp.Diff(map[string]int32{tc.want: 1}, got); diff != "" {
				t.Errorf("%s: after %v failed passes, backend error events by reason and count (-want +got):\n%s", tc.reason, retries(), diff)
			}
			t.Logf("%s: %v failed passes, events %v; %s", tc.reason, retries(), got, v1alpha1.FindCondition(d.Status.Conditions, deployment.Degraded).Message)
		})
	}
}

// counter sums the samples of a counter whose label has value.
func counter(g prometheus.Gatherer, name, label, value string) float64 {
	mfs, _ := g.Gather()
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					sum += m.GetCounter().GetValue()
				}
			}
		}
	}
	return sum
}
