package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"minka/sim/jenkins"
)

// simulator is one simulated backend of the sandbox: a handler, and the
// environment lines that point clients at it. More systems slot in here
// without changing the sandbox's shape.
type simulator struct {
	name    string
	handler http.Handler
	env     func(url string) []string
	close   func()
}

func devSimulators() []simulator {
	jk := jenkins.New(jenkins.Options{User: "admin", Token: "minka-dev-token"})
	return []simulator{
		{name: "jenkins", handler: jk, close: jk.Close, env: func(url string) []string {
			return []string{"JENKINS_URL=" + url, "JENKINS_USER=admin", "JENKINS_TOKEN=minka-dev-token"}
		}},
	}
}

// runningSims are the simulators serving on loopback ports.
type runningSims struct {
	env     []string
	servers []*http.Server
	sims    []simulator
	wg      sync.WaitGroup
}

// startSimulators serves each simulator on a free loopback port.
func startSimulators(sims []simulator) (*runningSims, error) {
	r := &runningSims{sims: sims}
	for _, s := range sims {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			r.stop()
			return nil, fmt.Errorf("listening for the %s simulator: %w", s.name, err)
		}
		hs := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
		r.servers = append(r.servers, hs)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Printf("minka dev: %s simulator: %v\n", s.name, err)
			}
		}()
		r.env = append(r.env, s.env("http://"+l.Addr().String())...)
	}
	return r, nil
}

// stop shuts the simulators down and waits for them.
func (r *runningSims) stop() {
	for _, s := range r.sims {
		if s.close != nil {
			s.close()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, hs := range r.servers {
		_ = hs.Shutdown(ctx)
	}
	r.wg.Wait()
}
