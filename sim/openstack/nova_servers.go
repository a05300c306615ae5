package openstack

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

type server struct {
	id, name, imageID, keyName, userData string
	flavor                               Flavor
	metadata                             map[string]string
	secGroups                            []string
	created                              time.Time
	status, ip                           string
	launched                             time.Time
	failBoot                             bool
	fault                                map[string]any
	volumes                              []string // delete_on_termination volumes made from block_device_mapping_v2
	attached                             map[string]string
}

// advance finishes boots that are due; it returns the servers that became
// ACTIVE, for OnActive to be told outside the lock.
func (c *Cloud) advance() []Server {
	var active []Server
	now := c.opts.Now()
	for _, id := range c.order {
		s := c.servers[id]
		if s.status != "BUILD" || now.Before(s.created.Add(c.opts.BootDelay)) {
			continue
		}
		if s.failBoot {
			s.status = "ERROR"
			s.fault = map[string]any{"code": 500, "created": rfc3339(now), "message": "No valid host was found. There are not enough hosts available.",
				"details": "Exceeded maximum number of retries."}
			continue
		}
		c.nextIP++
		s.status, s.launched, s.ip = "ACTIVE", now, fmt.Sprintf("192.168.1.%d", c.nextIP)
		active = append(active, s.public())
	}
	return active
}

func (s *server) public() Server {
	return Server{ID: s.id, Name: s.name, IP: s.ip, Metadata: s.metadata, UserData: s.userData}
}

type createServer struct {
	Server struct {
		Name           string            `json:"name"`
		FlavorRef      string            `json:"flavorRef"`
		ImageRef       string            `json:"imageRef"`
		KeyName        string            `json:"key_name"`
		UserData       string            `json:"user_data"`
		Metadata       map[string]string `json:"metadata"`
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

func (c *Cloud) createServer(w http.ResponseWriter, r *http.Request) {
	var req createServer
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		novaError(w, http.StatusBadRequest, "badRequest", "Malformed request body: "+err.Error())
		return
	}
	in := req.Server
	c.mu.Lock()
	defer c.mu.Unlock()
	flavor, ok := c.flavor(in.FlavorRef)
	switch {
	case in.Name == "":
		novaError(w, http.StatusBadRequest, "badRequest", "Invalid input for field/attribute name.")
		return
	case !ok:
		novaError(w, http.StatusBadRequest, "badRequest", fmt.Sprintf("Flavor %s could not be found.", in.FlavorRef))
		return
	case c.image(in.ImageRef) == nil:
		novaError(w, http.StatusBadRequest, "badRequest", "Can not find requested image")
		return
	case in.KeyName != "" && !contains(c.opts.KeyPairs, in.KeyName):
		novaError(w, http.StatusBadRequest, "badRequest", "Invalid key_name provided.")
		return
	}
	if msg := c.overQuota(flavor); msg != "" {
		novaError(w, http.StatusForbidden, "forbidden", msg)
		return
	}
	userData, _ := base64.StdEncoding.DecodeString(in.UserData)
	s := &server{id: newID(), name: in.Name, imageID: c.image(in.ImageRef).ID, keyName: in.KeyName, userData: string(userData),
		flavor: flavor, metadata: in.Metadata, created: c.opts.Now(), status: "BUILD", attached: map[string]string{}}
	if s.metadata == nil {
		s.metadata = map[string]string{}
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
			v.status, v.attachedTo = "in-use", s.id
			if bd.DeleteOnTermination {
				s.volumes = append(s.volumes, v.id)
			}
		}
	}
	c.servers[s.id] = s
	c.order = append(c.order, s.id)
	writeJSON(w, http.StatusAccepted, map[string]any{"server": map[string]any{"id": s.id, "links": c.serverLinks(s.id),
		"OS-DCF:diskConfig": "MANUAL", "adminPass": "simulated", "security_groups": groupsJSON(s.secGroups)}})
}

// overQuota returns Nova's OverQuota message, or "".
func (c *Cloud) overQuota(f Flavor) string {
	n, cores, ram := 0, 0, 0
	for _, s := range c.servers {
		n, cores, ram = n+1, cores+s.flavor.VCPUs, ram+s.flavor.RAM
	}
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

func (c *Cloud) serverJSON(s *server) map[string]any {
	addresses := map[string]any{}
	if s.ip != "" {
		addresses["private"] = []any{map[string]any{"addr": s.ip, "version": 4, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01"}}
	}
	var launched any
	if !s.launched.IsZero() {
		launched = noZone(s.launched)
	}
	vols := []any{}
	for _, v := range s.volumes {
		vols = append(vols, map[string]any{"id": v})
	}
	m := map[string]any{"id": s.id, "name": s.name, "status": s.status, "addresses": addresses, "accessIPv4": "", "accessIPv6": "",
		"created": rfc3339(s.created), "updated": rfc3339(s.created), "hostId": "92154fab69d5883ba2c8622b7e65f745dd33257221c07af363c51b29",
		"flavor":   map[string]any{"id": s.flavor.ID, "links": []any{map[string]any{"rel": "bookmark", "href": c.root + "/compute/flavors/" + s.flavor.ID}}},
		"image":    map[string]any{"id": s.imageID, "links": []any{map[string]any{"rel": "bookmark", "href": c.root + "/compute/images/" + s.imageID}}},
		"key_name": nilIfEmpty(s.keyName), "links": c.serverLinks(s.id), "metadata": s.metadata, "config_drive": "",
		"OS-DCF:diskConfig": "MANUAL", "OS-EXT-AZ:availability_zone": "nova", "OS-EXT-SRV-ATTR:host": "compute-1",
		"OS-EXT-SRV-ATTR:hypervisor_hostname": "compute-1", "OS-EXT-SRV-ATTR:instance_name": "instance-" + s.id[:8],
		"OS-EXT-STS:power_state": powerState(s.status), "OS-EXT-STS:task_state": taskState(s.status), "OS-EXT-STS:vm_state": strings.ToLower(s.status),
		"os-extended-volumes:volumes_attached": vols, "OS-SRV-USG:launched_at": launched, "OS-SRV-USG:terminated_at": nil,
		"progress": 0, "security_groups": groupsJSON(s.secGroups), "tenant_id": c.projectID, "user_id": "u-" + c.opts.User,
	}
	if s.fault != nil {
		m["fault"] = s.fault
	}
	return m
}

func (c *Cloud) listServers(w http.ResponseWriter, r *http.Request, detail bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var re *regexp.Regexp
	if name := r.URL.Query().Get("name"); name != "" {
		var err error
		if re, err = regexp.Compile(name); err != nil {
			novaError(w, http.StatusBadRequest, "badRequest", "Invalid regular expression in name filter")
			return
		}
	}
	out := []any{}
	for _, id := range c.order {
		s := c.servers[id]
		if re != nil && !re.MatchString(s.name) {
			continue
		}
		if detail {
			out = append(out, c.serverJSON(s))
		} else {
			out = append(out, map[string]any{"id": s.id, "name": s.name, "links": c.serverLinks(s.id)})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"servers": out})
}

// deleteServer removes a server and the volumes it was to delete on
// termination; attached volumes become available again.
func (c *Cloud) deleteServer(id string) (Server, bool) {
	s := c.servers[id]
	if s == nil {
		return Server{}, false
	}
	for _, v := range s.volumes {
		delete(c.volumes, v)
	}
	for vid := range s.attached {
		if v := c.volumes[vid]; v != nil {
			v.status, v.attachedTo = "available", ""
		}
	}
	delete(c.servers, id)
	for i, o := range c.order {
		if o == id {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	return s.public(), true
}

func (c *Cloud) serverLinks(id string) []any {
	return []any{
		map[string]any{"rel": "self", "href": c.root + "/compute/v2.1/" + c.projectID + "/servers/" + id},
		map[string]any{"rel": "bookmark", "href": c.root + "/compute/" + c.projectID + "/servers/" + id},
	}
}

func groupsJSON(names []string) []any {
	out := []any{}
	for _, n := range names {
		out = append(out, map[string]any{"name": n})
	}
	return out
}

func powerState(status string) int {
	if status == "ACTIVE" {
		return 1
	}
	return 0
}

func taskState(status string) any {
	if status == "BUILD" {
		return "spawning"
	}
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
