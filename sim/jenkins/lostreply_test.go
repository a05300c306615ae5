package jenkins

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bndr/gojenkins"

	"minka/sim/fault"
)

// newNodeForm is the form Jenkins' "New Node" page posts for a permanent
// JNLP agent, as minka's Jenkins adapter (CreateNode, in
// backend/jenkins/client.go, formerly controllers/slavepool/jenkins.go)
// builds it and posts it in the query string.
func newNodeForm(name string) url.Values {
	form, _ := json.Marshal(map[string]any{"name": name, "nodeDescription": "pool agent", "remoteFS": "/home/jenkins",
		"numExecutors": 2, "mode": "EXCLUSIVE", "labelString": "trusty amd64",
		"type": "hudson.slaves.DumbSlave$DescriptorImpl", "launcher": map[string]string{"stapler-class": "hudson.slaves.JNLPLauncher"},
		"retentionStrategy": map[string]string{"stapler-class": "hudson.slaves.RetentionStrategy$Always"},
		"nodeProperties":    map[string]string{"stapler-class-bag": "true"}})
	return url.Values{"name": {name}, "type": {"hudson.slaves.DumbSlave$DescriptorImpl"}, "json": {string(form)}}
}

// postNewNode posts the form with client, in the query string as minka
// does, or in the body as a browser does; it returns the status and body.
func postNewNode(ctx context.Context, client *http.Client, base, name string, inBody bool) (int, string, error) {
	u, body := base+"/computer/doCreateItem?"+newNodeForm(name).Encode(), io.Reader(nil)
	if inBody {
		u, body = base+"/computer/doCreateItem", strings.NewReader(newNodeForm(name).Encode())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, body)
	if err != nil {
		return 0, "", err
	}
	req.SetBasicAuth("admin", "token")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// TestLostReplyOfNodeCreate: Jenkins applies a node create whose reply is
// lost. The client gets an error and sends the POST once; the node exists
// once, as the form asked, and a second create of the name gets Jenkins'
// 400 "already exists".
func TestLostReplyOfNodeCreate(t *testing.T) {
	isTimeout := func(err error) bool {
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout()
	}
	isClosed := func(err error) bool { return err != nil && !isTimeout(err) }
	// gojenkins ignores the context: its http.Client's timeout ends a hang.
	gojenkinsCreate := func(jk *gojenkins.Jenkins, _, name string) error {
		_, err := jk.CreateNode(context.Background(), name, 2, "pool agent", "/home/jenkins", "trusty amd64",
			map[string]string{"method": "JNLPLauncher"})
		return err
	}
	post := func(inBody bool) func(jk *gojenkins.Jenkins, base, name string) error {
		return func(jk *gojenkins.Jenkins, base, name string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, _, err := postNewNode(ctx, jk.Requester.Client, base, name, inBody)
			return err
		}
	}
	creates := []struct {
		how string
		do  func(jk *gojenkins.Jenkins, base, name string) error
	}{
		{"gojenkins CreateNode", gojenkinsCreate},
		{"minka's form in the query", post(false)},
		{"the New Node page's form body", post(true)},
	}
	for _, failure := range []string{fault.AppliedReset, fault.AppliedHang} {
		for _, c := range creates {
			how, do := c.how, c.do
			t.Run(failure+"/"+how, func(t *testing.T) {
				s := New(Options{})
				// Jenkins refuses a second node of a name, so count the
				// creates the client sends: a resend would show here.
				var sent atomic.Int32
				hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodPost && r.URL.Path == "/computer/doCreateItem" {
						sent.Add(1)
					}
					s.ServeHTTP(w, r)
				}))
				t.Cleanup(func() { s.Close(); hs.Close() })
				jk, err := gojenkins.CreateJenkins(&http.Client{Timeout: 300 * time.Millisecond}, hs.URL, "admin", "token").Init(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Faults.Set(fault.Fault{Match: "POST /computer/doCreateItem", Failure: failure, Count: 1}); err != nil {
					t.Fatal(err)
				}
				const name = "trusty-amd64-a1b2"
				err = do(jk, hs.URL, name)
				if ue := (*url.Error)(nil); errors.As(err, &ue) {
					t.Logf("%s under %s: %s: %v", how, failure, ue.Op, ue.Err)
				}
				if lost := map[string]func(error) bool{fault.AppliedReset: isClosed, fault.AppliedHang: isTimeout}[failure]; !lost(err) {
					t.Fatalf("%s under %s: %v, want the reply lost", how, failure, err)
				}
				if n := sent.Load(); n != 1 {
					t.Errorf("the client sent the create %d times, want once", n)
				}
				nodes, err := jk.GetAllNodes(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				var named []*gojenkins.Node
				for _, n := range nodes {
					if n.Raw.DisplayName == name {
						named = append(named, n)
					}
				}
				if len(named) != 1 || !named[0].Raw.JnlpAgent || len(named[0].Raw.Executors) != 2 {
					t.Fatalf("after the lost reply: %d nodes named %s (of %d), want 1, JNLP, 2 executors", len(named), name, len(nodes))
				}
				if secret := jnlpSecret(t, hs.URL, name); secret == "" {
					t.Errorf("the node has no JNLP secret")
				}
				code, body, err := postNewNode(context.Background(), http.DefaultClient, hs.URL, name, false)
				if err != nil || code != http.StatusBadRequest || !strings.Contains(body, "already exists") {
					t.Errorf("a second create of %s: %d %q %v, want 400 already exists", name, code, body, err)
				}
				// Failure's error.jelly puts the message in X-Error, which
				// gojenkins' Requester.Do returns as the error.
				if err := gojenkinsCreate(jk, hs.URL, name); err == nil || err.Error() != "Agent called ‘"+name+"’ already exists" {
					t.Errorf("a second gojenkins CreateNode of %s: %v, want the X-Error message", name, err)
				}
			})
		}
	}
}
