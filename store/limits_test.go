package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"go.uber.org/zap"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/storetest"
)

var pipelineKind, _ = v1alpha1.KindFor("pipeline")

// longPipeline is a Pipeline with the longest key there is (a 253-byte
// name in a 63-byte namespace) whose parameters hold full 60 kB values
// and one last value of tail bytes.
func longPipeline(name string, full, tail int) *v1alpha1.Pipeline {
	params := map[string]string{"TAIL": strings.Repeat("t", tail)}
	for i := range full {
		params[fmt.Sprintf("P%03d", i)] = strings.Repeat("p", 60_000)
	}
	return &v1alpha1.Pipeline{
		ObjectMeta: metav1.ObjectMeta{Namespace: strings.Repeat("n", 63), Name: name},
		Spec: v1alpha1.PipelineSpec{Job: "webapp-build", Source: v1alpha1.Source{Git: "https://git.example.com/webapp.git"},
			Parameters: params},
	}
}

// storedBytes is the size of an object's value in etcd.
func storedBytes(t *testing.T, e *store.Etcd, k v1alpha1.Kind, ns, name string) int {
	t.Helper()
	resp, err := e.Client.Get(ctx(t), store.DefaultPrefix+k.Plural+"/"+ns+"/"+name)
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("reading %s/%s from etcd: %v", ns, name, err)
	}
	return len(resp.Kvs[0].Value)
}

// TestObjectSizeLimit: an object of exactly MaxObjectBytes encoded, under
// the longest key, is written by an etcd with the default request limit
// (the overhead margin holds); one byte more is ErrTooLarge before etcd
// is asked, for create, update and status writes, with its size and the
// limit.
func TestObjectSizeLimit(t *testing.T) {
	s, e := storetest.Store(t)
	limit := s.MaxObjectBytes()
	if want := store.MaxObjectBytes(store.DefaultMaxRequestBytes); limit != want || limit >= store.DefaultMaxRequestBytes {
		t.Fatalf("MaxObjectBytes = %d, want %d, below etcd's %d", limit, want, store.DefaultMaxRequestBytes)
	}
	full := (int(limit) - 8192) / 60_010 // leaves under 60 kB to pad
	a, b := strings.Repeat("a", 253), strings.Repeat("b", 253)
	if _, err := s.Create(ctx(t), longPipeline(a, full, 0)); err != nil {
		t.Fatalf("Create: %v", err)
	}
	ns := strings.Repeat("n", 63)
	tail := int(limit) - storedBytes(t, e, pipelineKind, ns, a)
	if tail < 0 || tail > v1alpha1.MaxTextBytes {
		t.Fatalf("%d bytes to pad: the test's sizes need adjusting", tail)
	}
	tooLarge := func(reason string, err error) {
		t.Helper()
		var tl *store.TooLargeError
		if !errors.Is(err, store.ErrTooLarge) || !errors.As(err, &tl) || tl.Size != limit+1 || tl.Limit != limit {
			t.Errorf("%s one byte past the limit: err = %v, want a TooLargeError of %d bytes against %d", reason, err, limit+1, limit)
		}
	}
	cases := []struct {
		reason string
		write  func(tail int) (v1alpha1.Object, error)
	}{
		{"update", func(tail int) (v1alpha1.Object, error) { return s.Update(ctx(t), longPipeline(a, full, tail)) }},
		{"create", func(tail int) (v1alpha1.Object, error) { return s.Create(ctx(t), longPipeline(b, full, tail)) }},
	}
	for _, c := range cases {
		tooLarge(c.reason, func() error { _, err := c.write(tail + 1); return err }())
		out, err := c.write(tail)
		if err != nil {
			t.Fatalf("%s at exactly the limit (%d bytes): %v", c.reason, limit, err)
		}
		if got := storedBytes(t, e, pipelineKind, ns, out.GetName()); got != int(limit) {
			t.Errorf("%s: %d bytes stored, want %d", c.reason, got, limit)
		}
	}
	cur, err := s.Get(ctx(t), pipelineKind, ns, a)
	if err != nil {
		t.Fatal(err)
	}
	p := cur.(*v1alpha1.Pipeline)
	p.Status.LastBuildNumber = 7 // {"lastBuildNumber":7} is 21 bytes more
	_, err = s.UpdateStatus(ctx(t), p)
	var tl *store.TooLargeError
	if !errors.As(err, &tl) || tl.Size != limit+int64(len(`"status":{"lastBuildNumber":7}`))-int64(len(`"status":{}`)) {
		t.Errorf("status write past the limit: err = %v, want a TooLargeError", err)
	}
	if got, _ := s.Get(ctx(t), pipelineKind, ns, a); got.GetResourceVersion() != cur.GetResourceVersion() {
		t.Errorf("a refused write changed the object: rv %s → %s", cur.GetResourceVersion(), got.GetResourceVersion())
	}
}

// TestEtcdRefusalIsTooLarge: when etcd accepts less than the store was
// told (an external etcd with a smaller --max-request-bytes), its "request
// is too large" is ErrTooLarge too, not an internal error.
func TestEtcdRefusalIsTooLarge(t *testing.T) {
	e := storetest.Etcd(t) // etcd's default 1.5 MiB
	s := store.New(e.Client, store.Options{MaxRequestBytes: 2 << 20})
	_, err := s.Create(ctx(t), longPipeline("p", 27, 0)) // 1.6 MB
	var tl *store.TooLargeError
	if !errors.Is(err, store.ErrTooLarge) || !errors.As(err, &tl) || tl.Limit != 0 || !strings.Contains(err.Error(), "etcd refused") {
		t.Errorf("Create past etcd's own limit: err = %v, want a TooLargeError from etcd", err)
	}
}

// TestMaxRequestBytesIsOneSetting: the one setting raises etcd's limit,
// the client's and the store's together: a 3 MiB object is stored when
// all are given 4 MiB, and its size is the store's limit with the
// default.
func TestMaxRequestBytesIsOneSetting(t *testing.T) {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const four = 4 << 20
	e, err := store.OpenEtcd(c, store.EtcdConfig{DataDir: t.TempDir(), Logger: zap.NewNop(), MaxRequestBytes: four}, logr.Discard())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.MaxRequestBytes != four {
		t.Errorf("Etcd.MaxRequestBytes = %d, want %d", e.MaxRequestBytes, four)
	}
	s := store.New(e.Client, store.Options{MaxRequestBytes: e.MaxRequestBytes})
	if _, err := s.Create(c, longPipeline("big", 52, 0)); err != nil { // 3.1 MB
		t.Errorf("a 3 MB object with a 4 MiB request limit: %v", err)
	}
	if _, err := store.New(e.Client, store.Options{}).Create(c, longPipeline("default", 52, 0)); !errors.Is(err, store.ErrTooLarge) {
		t.Errorf("the same object with the default limit: err = %v, want ErrTooLarge", err)
	}
	if _, err := store.OpenEtcd(c, store.EtcdConfig{DataDir: t.TempDir(), MaxRequestBytes: 1000}, logr.Discard()); err == nil {
		t.Errorf("OpenEtcd with a 1000-byte request limit: no error")
	}
	if got := store.MaxBodyBytes(store.DefaultMaxRequestBytes); got != 3<<20 {
		t.Errorf("default body limit %d, want 3 MiB (kube-apiserver's)", got)
	}
}

// TestStatusWritesAreValidated: UpdateStatus, the path of the API's
// /status and of every controller, refuses a status that cannot be true.
func TestStatusWritesAreValidated(t *testing.T) {
	s, _ := storetest.Store(t)
	obj, err := s.Create(ctx(t), newDeploy("ci", "web"))
	if err != nil {
		t.Fatal(err)
	}
	d := obj.(*v1alpha1.Deployment).DeepCopy()
	d.Status.Replicas = -5
	_, err = s.UpdateStatus(ctx(t), d)
	var inv *store.InvalidError
	if !errors.As(err, &inv) || !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "status.replicas: Invalid value: -5: must be >= 0") {
		t.Errorf("UpdateStatus with replicas -5: err = %v, want an InvalidError naming status.replicas", err)
	}
}

// TestLargestStatusesFit: the replica limits leave room for the status
// they make: a Deployment of MaxDeploymentReplicas tasks, each an endpoint
// with a long task id and host, and a SlavePool of MaxPoolReplicas agents
// are stored.
func TestLargestStatusesFit(t *testing.T) {
	s, _ := storetest.Store(t)
	d := newDeploy("ci", "web")
	d.Spec.Replicas = ptr(int32(v1alpha1.MaxDeploymentReplicas))
	obj, err := s.Create(ctx(t), d)
	if err != nil {
		t.Fatal(err)
	}
	d = obj.(*v1alpha1.Deployment)
	for i := range v1alpha1.MaxDeploymentReplicas {
		d.Status.Endpoints = append(d.Status.Endpoints, v1alpha1.Endpoint{
			TaskID: fmt.Sprintf("ci_web.instance-%08d-8c1f-11ee-b962-0242ac120002._app.1", i), Host: fmt.Sprintf("mesos-agent-%04d.dc1.example.com", i),
			Ports: []int32{31000 + int32(i%1000)}, ServicePorts: []int32{10000}, Healthy: true, Version: "2026-01-01T00:00:00.000Z"})
	}
	d.Status.Replicas, d.Status.ReadyReplicas = int32(v1alpha1.MaxDeploymentReplicas), int32(v1alpha1.MaxDeploymentReplicas)
	if _, err := s.UpdateStatus(ctx(t), d); err != nil {
		t.Errorf("the status of %d tasks: %v", v1alpha1.MaxDeploymentReplicas, err)
	}
	p := &v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "builders"}, Spec: v1alpha1.SlavePoolSpec{
		Labels: []string{"amd64"}, MaxReplicas: ptr(int32(v1alpha1.MaxPoolReplicas)),
		Template: v1alpha1.ServerTemplate{Image: "ubuntu", Flavor: "m1.large"}}}
	obj, err = s.Create(ctx(t), p)
	if err != nil {
		t.Fatal(err)
	}
	p = obj.(*v1alpha1.SlavePool)
	now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
	for i := range v1alpha1.MaxPoolReplicas {
		p.Status.Nodes = append(p.Status.Nodes, v1alpha1.AgentNode{Name: fmt.Sprintf("builders-%04d", i),
			ServerID: "0f8c2b2e-8c1f-11ee-b962-0242ac120002", IP: "10.100.200.250", Phase: "Online", Since: now, Busy: 1, IdleSince: &now})
	}
	if _, err := s.UpdateStatus(ctx(t), p); err != nil {
		t.Errorf("the status of %d agents: %v", v1alpha1.MaxPoolReplicas, err)
	}
}
