package chacra

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"
)

// maxRetries is celery's default for chacra's callback task.
const maxRetries = 3

// Sent is one callback attempt, as a test sees it.
type Sent struct {
	URL     string
	Status  string // the body's status ("" for a health ping)
	Attempt int    // 0 for the first try
	Code    int    // the answer's status, 0 when there was none
}

type cbItem struct {
	url     string
	body    []byte
	status  string
	attempt int
}

// sender delivers callbacks one at a time, in order; a failed one is
// retried CallbackRetryDelay later, up to maxRetries times, while later
// ones go on (celery's retry re-schedules the task).
type sender struct {
	n      *Node
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc

	mu    sync.Mutex
	queue []cbItem
	sent  []Sent
	wake  chan struct{}
}

func newSender(n *Node) *sender {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sender{n: n, client: &http.Client{Timeout: 10 * time.Second}, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1)}
	n.wg.Add(1)
	go s.run()
	return s
}

func (s *sender) push(url string, body map[string]any) {
	b := marshal(body)
	status, _ := body["status"].(string)
	s.enqueue(cbItem{url: url, body: b, status: status})
}

func (s *sender) enqueue(it cbItem) {
	s.mu.Lock()
	s.queue = append(s.queue, it)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *sender) run() {
	defer s.n.wg.Done()
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.mu.Unlock()
			select {
			case <-s.n.stop:
				return
			case <-s.wake:
			}
			continue
		}
		it := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		code := s.deliver(it)
		s.mu.Lock()
		s.sent = append(s.sent, Sent{URL: it.url, Status: it.status, Attempt: it.attempt, Code: code})
		s.mu.Unlock()
		if (code >= 200 && code < 400) || it.attempt >= maxRetries || s.n.opts.CallbackRetryDelay < 0 {
			continue
		}
		it.attempt++
		s.n.mu.Lock()
		s.n.after(s.n.opts.CallbackRetryDelay, func() { s.enqueue(it) })
		s.n.mu.Unlock()
	}
}

// deliver POSTs one callback as chacra's requests.post does; it returns
// the answer's status, 0 when the request failed.
func (s *sender) deliver(it cbItem) int {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, it.url, bytes.NewReader(it.body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	s.n.mu.Lock()
	user, key := s.n.opts.CallbackUser, s.n.opts.CallbackKey
	s.n.mu.Unlock()
	req.SetBasicAuth(user, key)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Callbacks lists every callback attempt made so far, in order.
func (n *Node) Callbacks() []Sent {
	n.cb.mu.Lock()
	defer n.cb.mu.Unlock()
	return append([]Sent(nil), n.cb.sent...)
}
