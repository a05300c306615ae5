package test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"minka/api/v1alpha1"
	simos "minka/sim/openstack"
)

// TestSlavePoolAdoptsMitaAgents: two agents that mita's playbooks made
// (<IP>+<type>__<uuid> and name+IP, servers without minka's metadata) are
// adopted by a pool of 2 with no new server; scaled to 1, one of them is
// removed like any idle agent.
func TestSlavePoolAdoptsMitaAgents(t *testing.T) {
	e := startPoolWorld(t, simos.Options{})
	ctx := context.Background()
	pc, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: e.cloud.BaseURL() + "/identity/v3",
		Username: "minka", Password: "secret", DomainName: "Default", TenantName: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	nova, _ := openstack.NewComputeV2(pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	var mita []string
	for i, style := range []string{"uuid", "ip"} {
		srv, err := servers.Create(ctx, nova, servers.CreateOpts{Name: fmt.Sprintf("mita-slave-%d", i), FlavorRef: "1", ImageRef: "ubuntu-trusty"}, nil).Extract()
		if err != nil {
			t.Fatal(err)
		}
		if err := servers.WaitForStatus(ctx, nova, srv.ID, "ACTIVE"); err != nil {
			t.Fatal(err)
		}
		ip := ""
		for _, s := range e.cloud.Servers() {
			if s.ID == srv.ID {
				ip = s.IP
			}
		}
		name := fmt.Sprintf("%s+trusty__%s", ip, srv.ID)
		if style == "ip" {
			name = fmt.Sprintf("mita-slave-%d+%s", i, ip)
		}
		form := fmt.Sprintf(`{"name":%q,"numExecutors":1,"remoteFS":"/home/jenkins","labelString":"trusty amd64","launcher":{"stapler-class":"hudson.slaves.JNLPLauncher"}}`, name)
		e.post(t, "/computer/doCreateItem?name="+url.QueryEscape(name)+"&type=hudson.slaves.DumbSlave&json="+url.QueryEscape(form), "application/x-www-form-urlencoded", "")
		secret, ok := e.jenkins.Secret(name)
		if !ok || e.jenkins.Connect(name, secret) != nil {
			t.Fatalf("connecting mita agent %s", name)
		}
		mita = append(mita, name)
	}
	before := e.creates.Load()
	s, cli := poolServer(t, e)
	apply(t, s, poolManifest("trusty-amd64", "trusty, amd64", "  replicas: 2\n  maxReplicas: 5\n"))
	p := waitPool(t, cli, "trusty-amd64", 20*time.Second, "2 adopted agents online", func(p *v1alpha1.SlavePool) bool {
		return online(p) == 2 && p.Status.Replicas == 2
	})
	time.Sleep(3 * time.Second)
	if n := e.creates.Load() - before; n != 0 {
		t.Errorf("%d servers created for a pool whose 2 agents mita made", n)
	}
	t.Logf("adopted %v: %s", mita, names(p))
	if out, errOut, code := Minka(t, s, "", "scale", "sp", "trusty-amd64", "-n", "ci", "--replicas", "1"); code != 0 {
		t.Fatalf("scale: %s%s", out, errOut)
	}
	p = waitPool(t, cli, "trusty-amd64", 20*time.Second, "1 agent", func(p *v1alpha1.SlavePool) bool {
		return p.Status.Replicas == 1 && len(e.cloud.Servers()) == 1 && len(e.jenkins.NodeNames()) == 1
	})
	t.Logf("scaled to 1: %s; servers %d, Jenkins nodes %v", names(p), len(e.cloud.Servers()), e.jenkins.NodeNames())
}
