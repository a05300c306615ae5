package jenkins

import (
	"net/url"
	"testing"
	"time"
)

// TestBuildRequests: every request to build or buildWithParameters is
// recorded with its parameters as sent, its status and its queue item:
// new, merged with an identical waiting item, or refused, wherever the
// refusal comes from.
func TestBuildRequests(t *testing.T) {
	e := newCI(t, Options{Password: "secret"})
	jsonForm := func(value string) string {
		return url.Values{"json": {`{"parameter":[{"name":"MINKA_BUILD","value":"` + value + `"}]}`}}.Encode()
	}
	steps := []struct {
		q       rq
		code    int
		queueID int
		params  map[string]string
	}{
		{rq{method: "POST", path: "/job/ceph/buildWithParameters?MINKA_BUILD=a&NOT_DEFINED=x"}, 201, 1, map[string]string{"MINKA_BUILD": "a", "NOT_DEFINED": "x"}},
		{rq{method: "POST", path: "/computer/agent-1/toggleOffline"}, 302, 0, nil}, // from here builds wait
		{rq{method: "POST", path: "/job/ceph/buildWithParameters", body: "MINKA_BUILD=b", ctype: form}, 201, 2, map[string]string{"MINKA_BUILD": "b"}},
		{rq{method: "POST", path: "/job/ceph/buildWithParameters?MINKA_BUILD=b&delay=0sec"}, 303, 2, map[string]string{"MINKA_BUILD": "b"}},
		{rq{method: "POST", path: "/job/ceph/build", body: jsonForm("b"), ctype: form}, 302, 2, map[string]string{"MINKA_BUILD": "b"}},
		{rq{path: "/job/ceph/buildWithParameters?MINKA_BUILD=c"}, 405, 0, map[string]string{"MINKA_BUILD": "c"}},
		{rq{method: "POST", path: "/job/ceph/build", body: url.Values{"json": {`{"parameter":{"name":"NOPE","value":"1"}}`}}.Encode(), ctype: form}, 500, 0,
			map[string]string{"NOPE": "1"}},
		{rq{method: "POST", path: "/job/ceph/buildWithParameters?MINKA_BUILD=d", auth: "bad"}, 401, 0, map[string]string{"MINKA_BUILD": "d"}},
		{rq{method: "POST", path: "/job/ceph/buildWithParameters?MINKA_BUILD=e", auth: "password"}, 403, 0, map[string]string{"MINKA_BUILD": "e"}},
		{rq{method: "POST", path: "/job/ceph/disable"}, 302, 0, nil},
		{rq{method: "POST", path: "/job/ceph/buildWithParameters?MINKA_BUILD=f"}, 409, 0, map[string]string{"MINKA_BUILD": "f"}},
	}
	var want []BuildRequest
	for i, st := range steps {
		e.clk.Add(time.Second)
		if got := send(t, e.base, st.q); got.code != st.code {
			t.Fatalf("step %d %s %s: %d, want %d (%.200s)", i, st.q.method, st.q.path, got.code, st.code, got.body)
		}
		if st.params != nil {
			want = append(want, BuildRequest{Time: e.clk.Now(), Job: "ceph", Params: st.params, Code: st.code, QueueID: st.queueID})
		}
	}
	got := e.s.BuildRequests("ceph")
	if len(got) != len(want) {
		t.Fatalf("%d requests recorded, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) || g.Job != w.Job || g.Code != w.Code || g.QueueID != w.QueueID || !sameParams(g.Params, w.Params) {
			t.Errorf("request %d: %+v, want %+v", i, g, w)
		}
	}
	perBuild := map[string]int{}
	for _, r := range got {
		perBuild[r.Params["MINKA_BUILD"]]++
	}
	if perBuild["b"] != 3 || perBuild["a"] != 1 {
		t.Errorf("requests per MINKA_BUILD: %v", perBuild)
	}
	if r := e.s.BuildRequests("plain"); len(r) != 0 {
		t.Errorf("plain: %+v", r)
	}
	send(t, e.base, rq{method: "POST", path: "/job/plain/buildWithParameters?X=1"}) // not parameterized: 400
	send(t, e.base, rq{method: "POST", path: "/job/nope/build"})
	if r := e.s.BuildRequests("plain"); len(r) != 1 || r[0].Code != 400 || r[0].Params["X"] != "1" {
		t.Errorf("plain: %+v", r)
	}
	if r := e.s.BuildRequests("nope"); len(r) != 1 || r[0].Code != 404 {
		t.Errorf("a job that does not exist: %+v", r)
	}
	b := e.s.Builds("ceph")
	if len(b) != 1 || b[0].Number != 1 || b[0].QueueID != 1 || b[0].Node != "agent-1" || b[0].Result != "" ||
		b[0].Params["MINKA_BUILD"] != "a" || b[0].Params["BRANCH"] != "main" || b[0].Params["NOT_DEFINED"] != "" || len(b[0].Params) != 6 {
		t.Errorf("Builds: %+v", b)
	}
	if e.s.Builds("nope") != nil {
		t.Errorf("Builds of an unknown job: not nil")
	}
}

func sameParams(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
