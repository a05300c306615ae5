package deployment

import (
	"context"
	"fmt"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/client"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
	"github.com/mesos/mesos-go/api/v1/lib/master"
	"github.com/mesos/mesos-go/api/v1/lib/master/calls"

	"minka/backend"
	"minka/backend/transport"
)

// mesosClient reads agents through mesos-go v0.0.11's operator API client,
// over the backend transport (mesos-go keeps its own client settings,
// such as not following redirects, and sends through tr).
type mesosClient struct{ cli *httpcli.Client }

func newMesosClient(cfg backend.Marathon, m *transport.Metrics) *mesosClient {
	tr := transport.New(transport.Options{Backend: "mesos", Name: cfg.Name, Timeout: backend.RequestTimeout(cfg.Timeout), Metrics: m})
	return &mesosClient{cli: httpcli.New(httpcli.Endpoint(cfg.MesosURL+"/api/v1"),
		httpcli.Codec(codecs.ByMediaType[codecs.MediaTypeJSON]),
		httpcli.Do(httpcli.With(httpcli.RoundTripper(tr))))}
}

func (m *mesosClient) Agents(ctx context.Context) ([]Agent, error) {
	// Every operator call is POST /api/v1: the call names the operation.
	ctx = transport.WithOperation(ctx, "GET_AGENTS")
	resp, err := m.cli.Send(client.RequestSingleton(calls.GetAgents()), client.ResponseClassSingleton, httpcli.Context(ctx))
	if err != nil {
		return nil, fmt.Errorf("mesos GET_AGENTS: %w", err)
	}
	defer resp.Close()
	var r master.Response
	if err := resp.Decode(&r); err != nil {
		return nil, fmt.Errorf("mesos GET_AGENTS: decoding: %w", err)
	}
	var out []Agent
	for _, a := range r.GetGetAgents().GetAgents() {
		if !a.GetActive() {
			continue
		}
		ag := Agent{Hostname: a.AgentInfo.GetHostname(), Attributes: map[string]string{}, Total: sum(a.TotalResources)}
		used := sum(a.AllocatedResources)
		ag.Free = Resources{Cpus: ag.Total.Cpus - used.Cpus, Mem: ag.Total.Mem - used.Mem, Disk: ag.Total.Disk - used.Disk, Ports: ag.Total.Ports - used.Ports}
		for _, at := range a.AgentInfo.Attributes {
			switch {
			case at.Text != nil:
				ag.Attributes[at.Name] = at.Text.Value
			case at.Scalar != nil:
				ag.Attributes[at.Name] = fmt.Sprint(at.Scalar.Value)
			}
		}
		out = append(out, ag)
	}
	return out, nil
}

func sum(rs []mesos.Resource) Resources {
	var r Resources
	for _, x := range rs {
		switch x.Name {
		case "cpus":
			r.Cpus += x.GetScalar().GetValue()
		case "mem":
			r.Mem += x.GetScalar().GetValue()
		case "disk":
			r.Disk += x.GetScalar().GetValue()
		case "ports":
			for _, rg := range x.GetRanges().GetRange() {
				r.Ports += int(rg.End - rg.Begin + 1)
			}
		}
	}
	return r
}
