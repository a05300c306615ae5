// Package jenkins is minka's Jenkins client, built once per process for
// each Jenkins backend and shared by the controllers that use it
// (SlavePool's agents, Pipeline's builds).
//
// It speaks to Jenkins with gojenkins v1.1.0's Requester (its http.Client
// and credentials) and builds the requests itself, because gojenkins'
// calls bite: Queue.Tasks() returns copies of the last item, node data
// lack labels, CreateNode hard-codes mode NORMAL, status codes and decode
// errors are ignored, the crumb fetch panics when Jenkins is down, and no
// call takes its context. Every request goes through the backend
// transport (deadline, metrics, last failure); status codes are checked
// here. The queue-and-nodes snapshot is shared between callers for a
// moment and forgotten after any write attempt.
package jenkins

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bndr/gojenkins"

	"minka/backend"
	"minka/backend/readcache"
	"minka/backend/transport"
)

// Client is one Jenkins controller.
type Client struct {
	name string
	jk   *gojenkins.Jenkins
	url  string
	tr   *transport.Transport
	// queue and nodes are the two halves of a snapshot, each shared for
	// as long as its callers allow: the queue is read often, the nodes
	// (a bigger answer, and one that changes less) less often at rest.
	queue *readcache.Cache[[]QueueItem]
	nodes *readcache.Cache[map[string]Node]
	// noFollow is the client of requests whose answer is a redirect
	// worth reading (a trigger's Location).
	noFollow *http.Client
	// session is the last X-Jenkins-Session seen.
	session atomic.Value
}

// New builds the client of a Jenkins backend; it does no I/O, so minka
// starts while Jenkins is down. m may be nil (no metrics).
func New(cfg backend.Jenkins, m *transport.Metrics) (*Client, error) {
	token, err := cfg.Token.Value()
	if err != nil {
		return nil, fmt.Errorf("jenkins backend %s: token: %w", cfg.Name, err)
	}
	tr := transport.New(transport.Options{Backend: "jenkins", Name: cfg.Name, Timeout: backend.RequestTimeout(cfg.Timeout), Metrics: m})
	c := &Client{name: cfg.Name, jk: gojenkins.CreateJenkins(tr.Client(), cfg.URL, cfg.User, token), url: strings.TrimSuffix(cfg.URL, "/"), tr: tr}
	c.queue = readcache.New(c.readQueue, nil)
	c.nodes = readcache.New(c.readNodes, nil)
	c.noFollow = tr.Client()
	c.noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c, nil
}

// Name is the backend's name in the server config.
func (j *Client) Name() string { return j.name }

// URL is the Jenkins URL agents connect to.
func (j *Client) URL() string { return j.url }

// Session is the X-Jenkins-Session of the last answer: Jenkins makes a
// new one at every start, so a change says Jenkins restarted.
func (j *Client) Session() string { s, _ := j.session.Load().(string); return s }

// LastFailure is the last timeout, transport error or 5xx ("" if none).
func (j *Client) LastFailure() string { s, _ := j.tr.LastFailure(); return s }

// Snapshot reads the queue and the nodes, each unless the shared one was
// read at most its maxAge ago (queueAge, nodesAge) and nothing was
// written since. The nodes are read after the queue, so that a build
// that left the queue for an agent is seen on the agent.
func (j *Client) Snapshot(ctx context.Context, queueAge, nodesAge time.Duration) (*Snapshot, error) {
	items, qt, err := j.queue.Get(ctx, queueAge)
	if err != nil {
		return nil, err
	}
	nodes, nt, err := j.nodes.Get(ctx, nodesAge)
	if err != nil {
		return nil, err
	}
	return &Snapshot{Items: items, Nodes: nodes, Taken: qt, NodesTaken: nt}, nil
}

// wrote forgets the shared snapshot: call it around every write attempt,
// whatever its outcome (a lost reply may still have been applied).
func (j *Client) wrote() { j.queue.Forget(); j.nodes.Forget() }

// The tree= of each read names only the fields decodeSnapshot uses:
// Stapler's NamedPathPruner writes exactly those (at any depth, so no
// depth= is needed for the executors), instead of every exported field
// of every node at depth 1 (its monitor data, load statistics, actions).
const (
	queueTree = "items[id,why,buildable,stuck,task[name]]"
	nodesTree = "computer[displayName,numExecutors,offline,temporarilyOffline,assignedLabels[name],executors[idle]]"
)

type queueJSON struct {
	Items []struct {
		ID        int64  `json:"id"`
		Why       string `json:"why"`
		Buildable bool   `json:"buildable"`
		Stuck     bool   `json:"stuck"`
		Task      struct {
			Name string `json:"name"`
		} `json:"task"`
	} `json:"items"`
}

type computersJSON struct {
	Computer []struct {
		DisplayName        string `json:"displayName"`
		NumExecutors       int    `json:"numExecutors"`
		Offline            bool   `json:"offline"`
		TemporarilyOffline bool   `json:"temporarilyOffline"`
		AssignedLabels     []struct {
			Name string `json:"name"`
		} `json:"assignedLabels"`
		Executors []struct {
			Idle bool `json:"idle"`
		} `json:"executors"`
	} `json:"computer"`
}

func (j *Client) readQueue(ctx context.Context) ([]QueueItem, error) {
	body, err := j.getRaw(transport.WithOperation(ctx, "queue"), "/queue", map[string]string{"tree": queueTree})
	if err != nil {
		return nil, err
	}
	items, err := decodeQueue(body)
	if err != nil {
		return nil, fmt.Errorf("jenkins %s: %w", j.name, err)
	}
	return items, nil
}

func (j *Client) readNodes(ctx context.Context) (map[string]Node, error) {
	body, err := j.getRaw(transport.WithOperation(ctx, "nodes"), "/computer", map[string]string{"tree": nodesTree})
	if err != nil {
		return nil, err
	}
	nodes, err := decodeNodes(body)
	if err != nil {
		return nil, fmt.Errorf("jenkins %s: %w", j.name, err)
	}
	return nodes, nil
}

// decodeQueue reads /queue/api/json.
func decodeQueue(queue []byte) ([]QueueItem, error) {
	var q queueJSON
	if err := json.Unmarshal(queue, &q); err != nil {
		return nil, fmt.Errorf("GET /queue/api/json: decoding: %w", err)
	}
	var items []QueueItem
	for _, it := range q.Items {
		items = append(items, QueueItem{ID: it.ID, Why: it.Why, Buildable: it.Buildable, Stuck: it.Stuck, Task: it.Task.Name})
	}
	return items, nil
}

// decodeNodes reads /computer/api/json (with depth=1 or the tree= above:
// the fields are the same).
func decodeNodes(computers []byte) (map[string]Node, error) {
	var c computersJSON
	if err := json.Unmarshal(computers, &c); err != nil {
		return nil, fmt.Errorf("GET /computer/api/json: decoding: %w", err)
	}
	nodes := map[string]Node{}
	for _, cp := range c.Computer {
		n := Node{Name: cp.DisplayName, Executors: cp.NumExecutors, Offline: cp.Offline, TemporarilyOffline: cp.TemporarilyOffline}
		for _, e := range cp.Executors {
			if !e.Idle {
				n.Busy++
			}
		}
		for _, l := range cp.AssignedLabels {
			n.Labels = append(n.Labels, l.Name)
		}
		nodes[n.Name] = n
	}
	return nodes, nil
}

// CreateNode posts the form Jenkins' "New Node" page sends: a permanent
// agent with a JNLP launcher, kept online always.
func (j *Client) CreateNode(ctx context.Context, n NodeSpec) error {
	ctx = transport.WithOperation(ctx, "node.create")
	j.wrote()
	defer j.wrote()
	form, _ := json.Marshal(map[string]any{"name": n.Name, "nodeDescription": n.Description, "remoteFS": n.RemoteFS,
		"numExecutors": n.Executors, "mode": "EXCLUSIVE", "labelString": strings.Join(n.Labels, " "),
		"type": "hudson.slaves.DumbSlave$DescriptorImpl", "launcher": map[string]string{"stapler-class": "hudson.slaves.JNLPLauncher"},
		"retentionStrategy": map[string]string{"stapler-class": "hudson.slaves.RetentionStrategy$Always"},
		"nodeProperties":    map[string]string{"stapler-class-bag": "true"}})
	resp, body, err := j.post(ctx, "/computer/doCreateItem", map[string]string{"name": n.Name, "type": "hudson.slaves.DumbSlave$DescriptorImpl", "json": string(form)})
	if resp != nil && resp.StatusCode == http.StatusBadRequest && strings.Contains(body, "already exists") {
		return nil
	}
	return j.status("creating node "+n.Name, resp, err)
}

var jnlpArgument = regexp.MustCompile(`<argument>([0-9a-f]{32,})</argument>`)

func (j *Client) Secret(ctx context.Context, name string) (string, error) {
	ctx = transport.WithOperation(ctx, "node.secret")
	resp, body, err := j.do(ctx, http.MethodGet, "/computer/"+name+"/jenkins-agent.jnlp", nil)
	if err := j.status("reading the agent secret of "+name, resp, err); err != nil {
		return "", err
	}
	m := jnlpArgument.FindStringSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("jenkins %s: no secret in the JNLP file of %s", j.name, name)
	}
	return m[1], nil
}

func (j *Client) SetOffline(ctx context.Context, name string, offline bool, message string) error {
	ctx = transport.WithOperation(ctx, "node.offline")
	j.wrote()
	defer j.wrote()
	var n struct {
		TemporarilyOffline bool `json:"temporarilyOffline"`
	}
	if err := j.get(ctx, "/computer/"+name, &n, nil); err != nil {
		return err
	}
	if n.TemporarilyOffline == offline {
		return nil // toggleOffline toggles: only call it to change
	}
	resp, _, err := j.post(ctx, "/computer/"+name+"/toggleOffline", map[string]string{"offlineMessage": message})
	return j.status("toggling "+name+" offline", resp, err)
}

func (j *Client) DeleteNode(ctx context.Context, name string) error {
	ctx = transport.WithOperation(ctx, "node.delete")
	j.wrote()
	defer j.wrote()
	resp, _, err := j.post(ctx, "/computer/"+name+"/doDelete", nil)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil
	}
	return j.status("deleting node "+name, resp, err)
}

// post sends a form POST (API tokens need no crumb; the Requester's
// crumb fetch dereferences a nil response when Jenkins is down).
// Jenkins answers with a redirect, which the client follows.
func (j *Client) post(ctx context.Context, path string, query map[string]string) (*http.Response, string, error) {
	return j.do(ctx, http.MethodPost, path, query)
}

// get GETs path+"/api/json" and decodes it. The request is built here,
// with the Requester's client and credentials, because the Requester
// appends a slash to every GET and drops the context.
func (j *Client) get(ctx context.Context, path string, out any, query map[string]string) error {
	body, err := j.getRaw(ctx, path, query)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("jenkins %s: GET %s/api/json: decoding: %w", j.name, path, err)
	}
	return nil
}

// getRaw GETs path+"/api/json", its status checked.
func (j *Client) getRaw(ctx context.Context, path string, query map[string]string) ([]byte, error) {
	resp, body, err := j.do(ctx, http.MethodGet, path+"/api/json", query)
	if err := j.status("GET "+path+"/api/json", resp, err); err != nil {
		return nil, err
	}
	return []byte(body), nil
}

// do sends one request with the Requester's client and credentials.
func (j *Client) do(ctx context.Context, method, path string, query map[string]string) (*http.Response, string, error) {
	u, err := url.Parse(j.url + path)
	if err != nil {
		return nil, "", err
	}
	q := u.Query()
	if method == http.MethodPost {
		q = url.Values{}
	}
	for k, v := range query {
		q.Set(k, v)
	}
	// A POST's parameters go in its form body, as Jenkins' own forms send
	// them: a build's parameters may be secrets (sealed values opened),
	// and a URL is what access logs, proxies and error messages (the
	// transport's last failure, url.Error) repeat.
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(q.Encode())
	} else {
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, "", err
	}
	if ba := j.jk.Requester.BasicAuth; ba != nil {
		req.SetBasicAuth(ba.Username, ba.Password)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	hc := j.jk.Requester.Client
	if ctx.Value(noRedirectKey{}) != nil {
		hc = j.noFollow
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if sid := resp.Header.Get("X-Jenkins-Session"); sid != "" {
		j.session.Store(sid)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp, string(b), err
}

// status turns gojenkins' answers into errors: it returns none for a 4xx
// or 5xx.
func (j *Client) status(op string, resp *http.Response, err error) error {
	switch {
	case err != nil:
		return fmt.Errorf("jenkins %s: %s: %w", j.name, op, err)
	case resp == nil:
		return fmt.Errorf("jenkins %s: %s: no response", j.name, op)
	case resp.StatusCode >= 400:
		return fmt.Errorf("jenkins %s: %s: %s", j.name, op, resp.Status)
	}
	return nil
}

// Clients are the clients of every Jenkins backend in cfg: shared's
// where it has one (the process's, built once), else a new one.
func Clients(cfg []backend.Jenkins, shared map[string]*Client, m *transport.Metrics) (map[string]*Client, error) {
	out := map[string]*Client{}
	for _, c := range cfg {
		if out[c.Name] = shared[c.Name]; out[c.Name] != nil {
			continue
		}
		cl, err := New(c, m)
		if err != nil {
			return nil, err
		}
		out[c.Name] = cl
	}
	return out, nil
}
