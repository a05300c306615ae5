package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"minka/api/v1alpha1"
	"minka/store"
)

// TestScaleWithoutResourceVersionRetries: a Scale PUT or PATCH without a
// resourceVersion succeeds while a controller keeps writing the object's
// status; one with a stale resourceVersion still fails with 409.
func TestScaleWithoutResourceVersionRetries(t *testing.T) {
	hs, e := newTestServer(t, Config{})
	created := post(t, hs.URL+poolPath, strings.Replace(pool("a"), `"labels"`, `"maxReplicas":5,"labels"`, 1))
	st := store.New(e.Client, store.Options{})
	k, _ := v1alpha1.KindFor("SlavePool")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // a controller writing status as fast as it can
		defer wg.Done()
		for i := int32(0); ctx.Err() == nil; i++ {
			obj, err := st.Get(ctx, k, "ci", "a")
			if err != nil {
				return
			}
			p := obj.(*v1alpha1.SlavePool)
			p.Status.Queued = i
			_, _ = st.UpdateStatus(ctx, p)
		}
	}()
	scale := func(method, body string) int {
		req, _ := http.NewRequest(method, hs.URL+poolPath+"/a/scale", strings.NewReader(body))
		req.Header.Set("Content-Type", map[string]string{"PUT": "application/json", "PATCH": "application/merge-patch+json"}[method])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := 0; i < 20; i++ {
		if code := scale("PUT", fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"Scale","metadata":{"name":"a"},"spec":{"replicas":%d}}`, i%3)); code != 200 {
			t.Errorf("PUT scale %d without resourceVersion under status writes: %d", i, code)
		}
		if code := scale("PATCH", fmt.Sprintf(`{"spec":{"replicas":%d}}`, i%3)); code != 200 {
			t.Errorf("PATCH scale %d without resourceVersion under status writes: %d", i, code)
		}
	}
	stale := created["metadata"].(map[string]any)["resourceVersion"].(string)
	if code := scale("PUT", `{"apiVersion":"minka.dev/v1alpha1","kind":"Scale","metadata":{"name":"a","resourceVersion":"`+stale+`"},"spec":{"replicas":1}}`); code != 409 {
		t.Errorf("PUT scale with a stale resourceVersion: %d, want 409", code)
	}
	if code := scale("PATCH", `{"metadata":{"resourceVersion":"`+stale+`"},"spec":{"replicas":1}}`); code != 409 {
		t.Errorf("PATCH scale with a stale resourceVersion: %d, want 409", code)
	}
	cancel()
	wg.Wait()
}
