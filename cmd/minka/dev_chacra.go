package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/apiserver/shaman"
	"minka/backend"
	"minka/client"
	"minka/sim/chacra"
)

// The sandbox's chacra nodes and shaman credentials: chacra's own
// defaults for the nodes' api_user and api_key, and a key of the
// sandbox for the shaman endpoints (uploads, next, callbacks).
const (
	devChacraNodes = 3
	devChacraUser  = "admin"
	devChacraKey   = "secret"
	devShamanUser  = "admin"
	devShamanKey   = "minka-dev-shaman-key"
)

// devChacra is the sandbox's chacra nodes, each on its own loopback
// port; their callbacks go to minka's shaman endpoints once the server
// is up (shamanReady).
type devChacra struct {
	nodes   []*chacra.Node
	servers []*http.Server
}

// startDevChacra serves n chacra nodes; dir receives the key files.
func startDevChacra(r *runningSims, dir string) (*devChacra, error) {
	d := &devChacra{}
	var urls []string
	for i := 1; i <= devChacraNodes; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("listening for chacra node %d: %w", i, err)
		}
		url := "http://" + l.Addr().String()
		// The sandbox's chacra builds a repository in about a second: a
		// poll every 200ms, a quiet time and a build of 500ms each.
		node := chacra.New(chacra.Options{Name: fmt.Sprintf("chacra%d", i), URL: url, User: devChacraUser, Key: devChacraKey,
			PollInterval: 200 * time.Millisecond, QuietTime: 500 * time.Millisecond, BuildTime: 500 * time.Millisecond,
			CallbackRetryDelay: time.Second, Seed: int64(i)})
		hs := &http.Server{Handler: node, ReadHeaderTimeout: 10 * time.Second}
		d.nodes, d.servers = append(d.nodes, node), append(d.servers, hs)
		urls = append(urls, url)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Printf("minka dev: chacra node %s: %v\n", url, err)
			}
		}()
	}
	keyFile := filepath.Join(dir, "chacra-key")
	shamanKeyFile := filepath.Join(dir, "shaman-key")
	for f, v := range map[string]string{keyFile: devChacraKey, shamanKeyFile: devShamanKey} {
		if err := os.WriteFile(f, []byte(v+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("writing %s: %w", f, err)
		}
	}
	ch := backend.Chacra{Name: devBackend, User: devChacraUser, Key: backend.Secret{File: keyFile},
		HealthInterval: metav1.Duration{Duration: 2 * time.Second}}
	for i, u := range urls {
		ch.Nodes = append(ch.Nodes, backend.ChacraNode{Name: d.nodes[i].Name(), URL: u})
	}
	r.backends.Chacra = append(r.backends.Chacra, ch)
	r.shaman = shaman.Config{Chacra: devBackend, User: devShamanUser, Key: backend.Secret{File: shamanKeyFile}}
	r.env = append(r.env, "CHACRA_URLS="+strings.Join(urls, ","), "CHACRA_USER="+devChacraUser, "CHACRA_KEY="+devChacraKey)
	return d, nil
}

// shamanReady points every node's callbacks at the server's shaman
// endpoints and returns the sandbox's SHAMAN_* lines.
func (d *devChacra) shamanReady(serverURL string) []string {
	base := serverURL + shaman.Prefix
	for _, n := range d.nodes {
		n.SetShaman(base+"/api/repos", "", devShamanUser, devShamanKey)
	}
	return []string{"SHAMAN_URL=" + base, "SHAMAN_USER=" + devShamanUser, "SHAMAN_KEY=" + devShamanKey}
}

func (d *devChacra) stop() {
	for i, n := range d.nodes {
		n.Close()
		_ = d.servers[i].Close()
	}
}

// uploadExampleBinaries plays, once, the Jenkins job of each Repo the
// examples declared: it waits for the Repo to be placed on a node and
// uploads a small package per distro there, as `chacractl binary create`
// would, so that the example Repos go on to Ready in the sandbox.
func uploadExampleBinaries(ctx context.Context, api client.Config, out io.Writer) error {
	// Without the Repo controller nothing is ever placed: give up then.
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := client.New(api)
	if err != nil {
		return err
	}
	list, err := c.List(ctx, repoKind(), "", client.ListOptions{})
	if err != nil {
		return err
	}
	for _, it := range list.GetItems() {
		r := it.(*v1alpha1.Repo)
		if r.Labels[v1alpha1.LabelDiscovered] == "true" || r.Labels[v1alpha1.LabelBuild] != "" {
			continue // chacra made it, or a Build's Jenkins job uploads its binaries
		}
		for r.Status.NodeURL == "" {
			select {
			case <-ctx.Done():
				return fmt.Errorf("repo %s/%s was not placed on a chacra node within 30s (is the repo controller running?)", r.Namespace, r.Name)
			case <-time.After(200 * time.Millisecond):
			}
			obj, err := c.Get(ctx, repoKind(), r.Namespace, r.Name)
			if err != nil {
				return err
			}
			r = obj.(*v1alpha1.Repo)
		}
		for _, d := range r.Spec.Distros {
			if err := devUpload(ctx, r, d.WithArch()); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "# minka dev: uploaded the binaries of repo %s/%s to %s, as its Jenkins job would\n", r.Namespace, r.Name, r.Status.Node)
	}
	return nil
}

func devUpload(ctx context.Context, r *v1alpha1.Repo, d v1alpha1.Distro) error {
	name := r.Spec.Project + "-1.0-1." + d.Arch + ".rpm"
	if d.Distro == "ubuntu" || d.Distro == "debian" {
		name = r.Spec.Project + "_1.0-1_amd64.deb"
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return err
	}
	fmt.Fprintf(fw, "%s %s for %s/%s\n", r.Spec.Project, r.Spec.SHA1, d.Distro, d.Version)
	_ = mw.WriteField("force", "true")
	if err := mw.Close(); err != nil {
		return err
	}
	u := fmt.Sprintf("%s/binaries/%s/%s/%s/%s/%s/%s/", r.Status.NodeURL, r.Spec.Project, r.Spec.Ref, r.Spec.SHA1, d.Distro, d.Version, d.Arch)
	if r.Spec.Flavor != "" && r.Spec.Flavor != "default" {
		u += "flavors/" + r.Spec.Flavor + "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.SetBasicAuth(devChacraUser, devChacraKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("uploading to %s: %w", u, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("uploading to %s: %s", u, resp.Status)
	}
	return nil
}
