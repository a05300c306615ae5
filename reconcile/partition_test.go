package reconcile

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"minka/store/storetest"
)

// freezer is a loopback TCP proxy to etcd whose traffic can be frozen:
// connections stay open but nothing passes, as in a network partition.
type freezer struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	frozen bool
	thaw   chan struct{}
}

func newFreezer(t *testing.T, target string) *freezer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{l: l, target: target, thaw: make(chan struct{})}
	t.Cleanup(func() { l.Close(); f.unfreeze() })
	go f.serve()
	return f
}

func (f *freezer) serve() {
	for {
		c, err := f.l.Accept()
		if err != nil {
			return
		}
		go func() {
			u, err := net.Dial("tcp", f.target)
			if err != nil {
				c.Close()
				return
			}
			go f.pipe(u, c)
			f.pipe(c, u)
		}()
	}
}

// pipe copies src to dst, holding every chunk while frozen.
func (f *freezer) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			f.mu.Lock()
			frozen, thaw := f.frozen, f.thaw
			f.mu.Unlock()
			if frozen {
				<-thaw
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (f *freezer) freeze() { f.mu.Lock(); f.frozen = true; f.mu.Unlock() }

func (f *freezer) unfreeze() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.frozen {
		f.frozen = false
		close(f.thaw)
		f.thaw = make(chan struct{})
	}
}

// TestPartitionedLeaderStopsFirst: the leader is cut off from etcd but
// alive. It must stop leading (its renew deadline) before etcd expires its
// lease and another candidate starts.
func TestPartitionedLeaderStopsFirst(t *testing.T) {
	e := storetest.Etcd(t)
	const lease = 3 * time.Second
	fz := newFreezer(t, e.Endpoints[0][len("http://"):])
	cliA, err := clientv3.New(clientv3.Config{Endpoints: []string{"http://" + fz.l.Addr().String()}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cliA.Close()
	ts := &terms{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); fz.unfreeze(); wg.Wait() }()
	run := func(cli *clientv3.Client, who string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = NewElector(cli, ElectorOptions{Identity: who, LeaseDuration: lease, Log: logr.Discard()}).Run(ctx, ts.lead(who))
		}()
	}
	run(cliA, "a")
	eventually(t, "a to lead", func() bool { return len(ts.leaders()) == 1 })
	run(e.Client, "b")
	time.Sleep(500 * time.Millisecond)
	fz.freeze()
	cut := time.Now()
	eventually(t, "b to lead", func() bool { return len(ts.leaders()) >= 2 })
	all := ts.leaders()
	ts.mu.Lock()
	a, b := all[0], all[1]
	aEnd := a.end
	ts.mu.Unlock()
	if b.who != "b" {
		t.Fatalf("second leader %s", b.who)
	}
	if aEnd.IsZero() || !aEnd.Before(b.start) {
		t.Fatalf("a (partitioned) still led when b started: a ended %v, b started %v", aEnd, b.start)
	}
	t.Logf("partition at 0: a stepped down at %v, b led at %v (lease %v)", aEnd.Sub(cut).Round(10*time.Millisecond),
		b.start.Sub(cut).Round(10*time.Millisecond), lease)
}
