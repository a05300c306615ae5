package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"minka/apiserver/shaman"
	"minka/backend"
	"minka/sim/jenkins"
	"minka/sim/marathon"
	simos "minka/sim/openstack"
	"minka/sim/slack"
	"minka/sim/world"
)

// simulator is one simulated backend of the sandbox: a handler, the
// environment lines that point clients at it, and its entry in the
// server config's backends. More systems slot in here without changing
// the sandbox's shape.
type simulator struct {
	name      string
	handler   http.Handler
	env       func(url string) []string
	configure func(url string, b *backend.Config)
	// git adds the simulator's insteadOf rules to the config's git section.
	git func(url string, g *backend.Git)
	// notify adds the simulator's receivers to the config's notifications.
	notify func(url string, n *backend.Notifications)
	// started runs once it serves at url.
	started func(url string) error
	close   func()
}

// devJenkinsToken is the simulated Jenkins' API token.
const devJenkinsToken = "minka-dev-token"

// devBackend is the backend name the sandbox configures, the default
// that resources use.
const devBackend = "default"

// devReceiver is the sandbox's notification receiver, the one
// examples/alert.yaml names: a simulated Slack webhook, whose messages
// are at $SLACK_URL/__sim/messages.
const devReceiver = "slack"

// devSimulators builds the sandbox's simulators, joined into one world
// (a booted Nova server brings its Jenkins agent online); dir receives
// files such as clouds.yaml.
func devSimulators(dir string) ([]simulator, *world.World, error) {
	jk := jenkins.New(jenkins.Options{User: "admin", Token: devJenkinsToken, AnonymousRead: true})
	cloud := simos.New(simos.Options{})
	mesos := marathon.New(marathon.Options{})
	w := world.New(cloud, jk)
	w.Tickers = append(w.Tickers, mesos.Tick)
	git, err := devGit(dir)
	if err != nil {
		return nil, nil, err
	}
	chat := slack.New(slack.Options{})
	hook := chat.NewHook(slack.Slack)
	return []simulator{git,
		{name: "slack", handler: chat, close: chat.Close, env: func(url string) []string {
			return []string{"SLACK_URL=" + url}
		}, notify: func(url string, n *backend.Notifications) {
			// The webhook's URL is a secret, as a real one is: in a file.
			f := filepath.Join(dir, "slack-webhook")
			if err := os.WriteFile(f, []byte(url+hook+"\n"), 0o600); err != nil {
				fmt.Fprintf(os.Stderr, "minka dev: writing %s: %v\n", f, err)
			}
			n.Receivers = append(n.Receivers, backend.Receiver{Name: devReceiver, Type: backend.ReceiverSlack, URL: backend.Secret{File: f}})
		}},
		{name: "marathon", handler: mesos.Marathon(), close: mesos.Close, env: func(url string) []string {
			return []string{"MARATHON_URL=" + url}
		}, configure: func(url string, b *backend.Config) {
			// The simulator also answers, as an HTTP proxy, for its tasks'
			// endpoints: the verify GETs go through it.
			m := devMarathon(b)
			m.URLs, m.VerifyProxy = []string{url}, url
		}},
		{name: "mesos", handler: mesos.Mesos(), env: func(url string) []string {
			return []string{"MESOS_URL=" + url}
		}, configure: func(url string, b *backend.Config) { devMarathon(b).MesosURL = url }},
		{name: "jenkins", handler: jk, close: jk.Close, env: func(url string) []string {
			return []string{"JENKINS_URL=" + url, "JENKINS_USER=admin", "JENKINS_TOKEN=minka-dev-token"}
		}, started: func(url string) error { return createDevJob(jk, url) }, configure: func(url string, b *backend.Config) {
			tokenFile := filepath.Join(dir, "jenkins-token")
			if err := os.WriteFile(tokenFile, []byte("minka-dev-token\n"), 0o600); err != nil {
				fmt.Fprintf(os.Stderr, "minka dev: writing %s: %v\n", tokenFile, err)
			}
			b.Jenkins = append(b.Jenkins, backend.Jenkins{Name: devBackend, URL: url, User: "admin", Token: backend.Secret{File: tokenFile}})
		}},
		{name: "openstack", handler: cloud, close: cloud.Close, configure: func(url string, b *backend.Config) {
			b.OpenStack = append(b.OpenStack, backend.OpenStack{Name: devBackend, Cloud: "minka-dev", CloudsFile: filepath.Join(dir, "clouds.yaml")})
		}, env: func(url string) []string {
			clouds := filepath.Join(dir, "clouds.yaml")
			if err := os.WriteFile(clouds, []byte(cloud.CloudsYAML("minka-dev", url+"/identity/v3")), 0o600); err != nil {
				fmt.Fprintf(os.Stderr, "minka dev: writing %s: %v\n", clouds, err)
			}
			return []string{"OS_AUTH_URL=" + url + "/identity/v3", "OS_USERNAME=minka", "OS_PASSWORD=secret", "OS_PROJECT_NAME=ci",
				"OS_USER_DOMAIN_NAME=Default", "OS_PROJECT_DOMAIN_NAME=Default", "OS_REGION_NAME=RegionOne",
				"OS_CLIENT_CONFIG_FILE=" + clouds, "OS_CLOUD=minka-dev"}
		}},
	}, w, nil
}

// devMarathon is the sandbox's Marathon backend entry, made on first use.
func devMarathon(b *backend.Config) *backend.Marathon {
	for i := range b.Marathon {
		if b.Marathon[i].Name == devBackend {
			return &b.Marathon[i]
		}
	}
	b.Marathon = append(b.Marathon, backend.Marathon{Name: devBackend})
	return &b.Marathon[len(b.Marathon)-1]
}

// runningSims are the simulators serving on loopback ports, and the
// world's clock.
type runningSims struct {
	env      []string
	backends backend.Config
	git      backend.Git
	notify   backend.Notifications
	shaman   shaman.Config
	chacra   *devChacra
	servers  []*http.Server
	sims     []simulator
	stopRun  context.CancelFunc
	wg       sync.WaitGroup
}

// startSimulators serves each simulator on a free loopback port, and the
// chacra nodes on one each, and runs the world's clock; dir receives
// their files.
func startSimulators(dir string, sims []simulator, w *world.World) (*runningSims, error) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningSims{sims: sims, stopRun: cancel}
	r.wg.Add(1)
	go func() { defer r.wg.Done(); w.Run(ctx, 100*time.Millisecond) }()
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
		url := "http://" + l.Addr().String()
		r.env = append(r.env, s.env(url)...)
		if s.configure != nil {
			s.configure(url, &r.backends)
		}
		if s.git != nil {
			s.git(url, &r.git)
		}
		if s.notify != nil {
			s.notify(url, &r.notify)
		}
		if s.started != nil {
			if err := s.started(url); err != nil {
				r.stop()
				return nil, fmt.Errorf("the %s simulator: %w", s.name, err)
			}
		}
	}
	var err error
	if r.chacra, err = startDevChacra(r, dir); err != nil {
		r.stop()
		return nil, err
	}
	return r, nil
}

// stop shuts the simulators down and waits for them.
func (r *runningSims) stop() {
	r.stopRun()
	if r.chacra != nil {
		r.chacra.stop()
	}
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
