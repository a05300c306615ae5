// Package storetest starts a real embedded etcd for tests, in the manner of
// kubernetes/apiserver's etcd3 testserver: one member, a temp directory,
// stopped when the test ends.
package storetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"go.uber.org/zap"

	"minka/api/v1alpha1"
	"minka/store"
)

// Etcd starts an embedded etcd under t.TempDir and closes it at cleanup.
func Etcd(t testing.TB) *store.Etcd {
	t.Helper()
	return EtcdAt(t, t.TempDir())
}

// EtcdAt starts an embedded etcd in dir (to restart one on the same data).
func EtcdAt(t testing.TB, dir string) *store.Etcd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := store.OpenEtcd(ctx, store.EtcdConfig{DataDir: dir, Logger: zap.NewNop()}, logr.Discard())
	if err != nil {
		t.Fatalf("starting embedded etcd: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// Store returns a Store on a fresh embedded etcd.
func Store(t testing.TB) (*store.Store, *store.Etcd) {
	t.Helper()
	e := Etcd(t)
	return store.New(e.Client, store.Options{}), e
}

// Events lists a namespace's events, oldest first, one line each, for a
// failing test's message.
func Events(st *store.Store, ns string) string {
	k, _ := v1alpha1.KindFor("Event")
	list, err := st.List(context.Background(), k, ns, store.ListOptions{})
	if err != nil {
		return err.Error()
	}
	var lines []string
	for _, o := range list.GetItems() {
		ev := o.(*v1alpha1.Event)
		lines = append(lines, fmt.Sprintf("  %s %s ×%d %s: %s", ev.FirstTimestamp.Format("15:04:05.000"), ev.Type, ev.Count, ev.Reason, ev.Message))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
