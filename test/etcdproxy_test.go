package test

import (
	"io"
	"net"
	"sync"
	"testing"
)

// etcdProxy stands between minka server and an etcd on loopback, so a
// test can take etcd away without killing it: Down blackholes every
// connection (bytes in flight and new connections go nowhere, as for a
// stopped or partitioned etcd), Up lets traffic through again.
type etcdProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func startEtcdProxy(t *testing.T, target string) *etcdProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &etcdProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// URL is what minka server's --etcd-endpoints names.
func (p *etcdProxy) URL() string { return "http://" + p.ln.Addr().String() }

// Down cuts every connection and holds new ones without an answer.
func (p *etcdProxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
}

// Up lets new connections through.
func (p *etcdProxy) Up() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

func (p *etcdProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.conns[c] = true
		p.mu.Unlock()
		if down {
			continue // held open, never answered, until Up and the client gives up, or close
		}
		p.wg.Add(1)
		go p.pipe(c)
	}
}

func (p *etcdProxy) pipe(c net.Conn) {
	defer p.wg.Done()
	defer p.forget(c)
	u, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.conns[u] = true
	p.mu.Unlock()
	defer p.forget(u)
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(u, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, u); done <- struct{}{} }()
	<-done
}

func (p *etcdProxy) forget(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

func (p *etcdProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
