package world

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bndr/gojenkins"
	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"minka/sim/jenkins"
	simos "minka/sim/openstack"
)

const job = `<project><assignedNode>trusty &amp;&amp; amd64</assignedNode><properties><hudson.model.ParametersDefinitionProperty><parameterDefinitions>` +
	`<hudson.model.StringParameterDefinition><name>N</name><defaultValue>0</defaultValue></hudson.model.StringParameterDefinition>` +
	`</parameterDefinitions></hudson.model.ParametersDefinitionProperty></properties></project>`

// TestBootedServersRunQueuedBuilds: 12 builds wait on a label no agent
// has; 3 Nova servers booted with user data naming agents of that label
// bring them online, and all 12 builds run to completion.
func TestBootedServersRunQueuedBuilds(t *testing.T) {
	cloud := simos.New(simos.Options{BootDelay: 300 * time.Millisecond})
	jk := jenkins.New(jenkins.Options{BuildDuration: 200 * time.Millisecond})
	w := New(cloud, jk)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx, 20*time.Millisecond)
	cs, js := httptest.NewServer(cloud), httptest.NewServer(jk)
	defer cs.Close()
	defer js.Close()

	j, err := gojenkins.CreateJenkins(nil, js.URL, "admin", "token").Init(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = j.CreateJob(ctx, job, "ceph-build")
	var ids []int64
	for i := 0; i < 12; i++ {
		ids = append(ids, queue(t, js.URL, i))
	}
	if task, _ := j.GetQueueItem(ctx, ids[0]); task.Raw.Why != "There are no nodes with the label ‘trusty&&amd64’" {
		t.Fatalf("before any agent: why %q", task.Raw.Why)
	}
	pc, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: cs.URL + "/identity/v3",
		Username: "minka", Password: "secret", DomainName: "Default", TenantName: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	nova, _ := openstack.NewComputeV2(pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	for i := 0; i < 3; i++ {
		name := fmt.Sprintf("trusty-amd64-%d", i)
		if _, err := j.CreateNode(ctx, name, 2, "", "/home/jenkins", "trusty amd64", map[string]string{"method": "JNLPLauncher"}); err != nil {
			t.Fatal(err)
		}
		secret, _ := jk.Secret(name)
		ud := fmt.Sprintf("#!/bin/sh\nJENKINS_URL=%s\nJENKINS_AGENT_NAME=%s\nJENKINS_SECRET=%s\n", js.URL, name, secret)
		if _, err := servers.Create(ctx, nova, servers.CreateOpts{Name: name, FlavorRef: "m1.large", ImageRef: "ubuntu-trusty", UserData: []byte(ud)}, nil).Extract(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		done := 0
		for n := int64(1); n <= 12; n++ {
			if b, err := j.GetBuild(ctx, "ceph-build", n); err == nil && b.GetResult() == "SUCCESS" {
				done++
			}
		}
		if done == 12 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 12 builds done after 20s", done)
		}
		time.Sleep(50 * time.Millisecond)
	}
	nodes, _ := j.GetAllNodes(ctx)
	online := 0
	for _, n := range nodes {
		if !n.Raw.Offline && n.GetName() != "Built-In Node" {
			online++
		}
	}
	t.Logf("12 builds queued on a label no agent had; 3 servers booted; %d agents online; all 12 builds done", online)
	if online != 3 {
		t.Errorf("%d agents online, want 3", online)
	}
}

func queue(t *testing.T, base string, i int) int64 {
	t.Helper()
	// gojenkins will not queue while the job is inQueue; post directly.
	id, err := postBuild(base, fmt.Sprintf("N=%d", i))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func postBuild(base, form string) (int64, error) {
	req, _ := http.NewRequest("POST", base+"/job/ceph-build/buildWithParameters", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("admin", "token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	loc := strings.TrimSuffix(resp.Header.Get("Location"), "/")
	if resp.StatusCode != http.StatusCreated {
		return 0, fmt.Errorf("queueing: %s", resp.Status)
	}
	return strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
}
