package openstack

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
)

type createRequest struct {
	Server struct {
		Name      string            `json:"name"`
		FlavorRef string            `json:"flavorRef"`
		ImageRef  string            `json:"imageRef"`
		KeyName   string            `json:"key_name"`
		UserData  string            `json:"user_data"`
		Metadata  map[string]string `json:"metadata"`
		Networks  []struct {
			UUID string `json:"uuid"`
		} `json:"networks"`
		SecurityGroups []struct {
			Name string `json:"name"`
		} `json:"security_groups"`
		BlockDevices []struct {
			SourceType          string `json:"source_type"`
			DestinationType     string `json:"destination_type"`
			VolumeSize          int    `json:"volume_size"`
			DeleteOnTermination bool   `json:"delete_on_termination"`
		} `json:"block_device_mapping_v2"`
	} `json:"server"`
}

// createServer is POST /servers: 202 with the server in BUILD and its
// self link as Location, or Nova's 400 for a bad reference and 403 for a
// quota it would exceed.
func (c *Cloud) createServer(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	var req createRequest
	if !decodeBody(w, q.body, &req) {
		return
	}
	in := req.Server
	c.mu.Lock()
	defer c.mu.Unlock()
	s, msg := c.validate(&req)
	if msg != "" {
		novaError(w, http.StatusBadRequest, "badRequest", msg)
		return
	}
	if msg := c.overQuota(s.flavor); msg != "" {
		novaError(w, http.StatusForbidden, "forbidden", msg)
		return
	}
	for _, g := range in.SecurityGroups {
		s.secGroups = append(s.secGroups, g.Name)
	}
	if len(s.secGroups) == 0 {
		s.secGroups = []string{"default"}
	}
	for _, bd := range in.BlockDevices {
		if bd.SourceType == "blank" && bd.DestinationType == "volume" && bd.VolumeSize > 0 {
			v := c.newVolume(in.Name+"-vol", bd.VolumeSize)
			c.attachVolume(s, v, "")
			if bd.DeleteOnTermination {
				s.volumes = append(s.volumes, v.id)
			}
		}
	}
	if c.failNext > 0 {
		c.failNext, s.failBoot = c.failNext-1, true
	}
	c.servers[s.id] = s
	c.order = append(c.order, s.id)
	links := c.serverLinks(s.id, q)
	w.Header().Set("Location", links[0].(map[string]any)["href"].(string))
	writeJSON(w, http.StatusAccepted, map[string]any{"server": map[string]any{"id": s.id, "links": links,
		"OS-DCF:diskConfig": "MANUAL", "adminPass": "simulated", "security_groups": groupsJSON(s.secGroups)}})
}

// validate resolves the request's references into a new server in BUILD,
// or returns Nova's 400 message. c.mu is held.
func (c *Cloud) validate(req *createRequest) (*server, string) {
	in := req.Server
	flavor, okFlavor := c.flavor(in.FlavorRef)
	image, okImage := c.image(in.ImageRef)
	net := c.opts.Networks[0]
	for _, n := range in.Networks {
		found, ok := c.network(n.UUID)
		if !ok {
			return nil, fmt.Sprintf("Network %s could not be found.", n.UUID)
		}
		net = found
	}
	userData, err := base64.StdEncoding.DecodeString(in.UserData)
	switch {
	case in.Name == "":
		return nil, "Invalid input for field/attribute name. Value: . '' is too short"
	case !okFlavor:
		return nil, fmt.Sprintf("Flavor %s could not be found.", in.FlavorRef)
	case !okImage:
		return nil, "Can not find requested image"
	case in.KeyName != "" && !slices.Contains(c.opts.KeyPairs, in.KeyName):
		return nil, "Invalid key_name provided."
	case err != nil:
		return nil, "User data needs to be valid base 64."
	}
	now := c.opts.Now()
	s := &server{id: newID(), name: in.Name, imageID: image.ID, keyName: in.KeyName, userData: string(userData),
		flavor: flavor, network: net.Name, metadata: in.Metadata, created: now, updated: now, status: "BUILD",
		attached: map[string]string{}}
	if s.metadata == nil {
		s.metadata = map[string]string{}
	}
	return s, ""
}

// overQuota returns Nova's OverQuota message, or "". c.mu is held.
func (c *Cloud) overQuota(f Flavor) string {
	n, cores, ram := c.usage()
	q := c.opts.Quota
	switch {
	case n+1 > q.Instances:
		return fmt.Sprintf("Quota exceeded for instances: Requested 1, but already used %d of %d instances", n, q.Instances)
	case cores+f.VCPUs > q.Cores:
		return fmt.Sprintf("Quota exceeded for cores: Requested %d, but already used %d of %d cores", f.VCPUs, cores, q.Cores)
	case ram+f.RAM > q.RAM:
		return fmt.Sprintf("Quota exceeded for ram: Requested %d, but already used %d of %d ram", f.RAM, ram, q.RAM)
	}
	return ""
}

// getServer is GET /servers/{id}.
func (c *Cloud) getServer(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	id := q.params[0]
	c.mu.Lock()
	var body map[string]any
	if s := c.servers[id]; s != nil {
		body = c.serverJSON(s, q)
	}
	c.mu.Unlock()
	if body == nil {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Instance %s could not be found.", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"server": body})
}

// deleteServerAPI is DELETE /servers/{id}: 204.
func (c *Cloud) deleteServerAPI(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.mu.Lock()
	gone, ok := c.deleteServer(q.params[0])
	onDelete := c.opts.OnDelete
	c.mu.Unlock()
	if !ok {
		novaError(w, http.StatusNotFound, "itemNotFound", "Instance could not be found")
		return
	}
	notify(onDelete, []Server{gone})
	w.WriteHeader(http.StatusNoContent)
}

func (c *Cloud) listServersBasic(w http.ResponseWriter, r *http.Request, q *novaReq) {
	c.listServers(w, r, q, false)
}

func (c *Cloud) listServersDetail(w http.ResponseWriter, r *http.Request, q *novaReq) {
	c.listServers(w, r, q, true)
}

// listServers is GET /servers[/detail]; name is a regular expression, as
// in Nova. Other filters are not applied.
func (c *Cloud) listServers(w http.ResponseWriter, r *http.Request, q *novaReq, detail bool) {
	var re *regexp.Regexp
	if name := r.URL.Query().Get("name"); name != "" {
		var err error
		if re, err = regexp.Compile(name); err != nil {
			novaError(w, http.StatusBadRequest, "badRequest", fmt.Sprintf("Invalid regular expression in name filter: %v", err))
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := []any{}
	for _, id := range c.order {
		s := c.servers[id]
		switch {
		case re != nil && !re.MatchString(s.name):
		case detail:
			out = append(out, c.serverJSON(s, q))
		default:
			out = append(out, map[string]any{"id": s.id, "name": s.name, "links": c.serverLinks(s.id, q)})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"servers": out})
}

// serverIPs is GET /servers/{id}/ips.
func (c *Cloud) serverIPs(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	id := q.params[0]
	c.mu.Lock()
	s := c.servers[id]
	var addrs map[string]any
	if s != nil {
		addrs = addresses(s, false)
	}
	c.mu.Unlock()
	if s == nil {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Instance %s could not be found.", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"addresses": addrs})
}

// decodeBody decodes a request body Nova's validation accepts as an
// object, or answers its 400: an empty body is None to jsonschema.
func decodeBody(w http.ResponseWriter, body []byte, v any) bool {
	if len(body) == 0 {
		novaError(w, http.StatusBadRequest, "badRequest", "None is not of type 'object'")
		return false
	}
	var top any
	if err := json.Unmarshal(body, &top); err == nil {
		if _, isObj := top.(map[string]any); !isObj {
			novaError(w, http.StatusBadRequest, "badRequest", pyRepr(top)+" is not of type 'object'")
			return false
		}
	}
	if err := json.Unmarshal(body, v); err != nil {
		// A field of the wrong JSON type; jsonschema's own wording is not reproduced.
		novaError(w, http.StatusBadRequest, "badRequest", "Invalid input for field/attribute: "+err.Error())
		return false
	}
	return true
}
