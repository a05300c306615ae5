package openstack

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"minka/sim/fault"
	"minka/sim/reqcount"
)

// Flavor is a Nova flavor.
type Flavor struct {
	ID, Name   string
	VCPUs, RAM int // RAM in MiB
	Disk       int // GiB
}

// Image is a Glance image.
type Image struct{ ID, Name string }

// Network is a network servers may be booted on; its name keys the
// server's addresses.
type Network struct{ ID, Name string }

// Quota bounds the project, as Nova's and Cinder's quotas do.
type Quota struct {
	Instances, Cores, RAM int
	Volumes, Gigabytes    int
}

// Options configure the simulated cloud. Zero values take defaults: user
// "minka", password "secret", project "ci", domain "Default", region
// "RegionOne", a 2s boot delay, three flavors, two images, one key pair,
// one network "private".
type Options struct {
	User, Password, Project, Domain, Region string
	// BootDelay is how long a server stays in BUILD.
	BootDelay time.Duration
	Quota     Quota
	Flavors   []Flavor
	Images    []Image
	Networks  []Network
	KeyPairs  []string
	Now       func() time.Time
	// Seed fixes the fault injector's random draws (error rates).
	Seed int64
	// OnActive and OnDelete let the rest of the simulated world react: a
	// server booted with user data naming a Jenkins agent brings it online.
	OnActive func(s Server)
	OnDelete func(s Server)
}

// Server is what the world sees of a Nova server.
type Server struct {
	ID, Name, IP, Status string
	Metadata             map[string]string
	UserData             string // decoded
}

// Cloud is a simulated OpenStack and an http.Handler. Time moves lazily:
// each request first advances servers whose boot delay passed.
type Cloud struct {
	opts      Options
	projectID string
	mu        sync.Mutex
	root      string // base URL advertised in the catalog
	tokens    map[string]time.Time
	servers   map[string]*server
	order     []string
	volumes   map[string]*volume
	volOrder  []string
	nextIP    int
	failNext  int // creates that will end in ERROR
	Faults    *fault.Injector
	handler   http.Handler
	// Requests counts the requests served, by method and path.
	Requests reqcount.Counter
}

type server struct {
	id, name, imageID, keyName, userData string
	flavor                               Flavor
	network                              string
	metadata                             map[string]string
	secGroups                            []string
	created, updated, launched           time.Time
	status, ip                           string
	failBoot                             bool
	fault                                map[string]any
	volumes                              []string          // delete_on_termination volumes from block_device_mapping_v2
	attached                             map[string]string // volume id → device
}

// volume is one Cinder volume, whichever API made or attached it.
type volume struct {
	id, name, status, attachedTo string
	description                  any // nil or a string, as Cinder shows it
	metadata                     map[string]string
	size                         int
	created                      time.Time
	device, attachmentID, bdmID  string // while attached
	tag                          any    // the attachment's tag (nil: none)
	attachedAt                   time.Time
}

// New returns a simulated cloud with the defaults filled in.
func New(opts Options) *Cloud {
	defaults(&opts)
	c := &Cloud{opts: opts, projectID: "6f70656e737461636b20342065766572", tokens: map[string]time.Time{},
		servers: map[string]*server{}, volumes: map[string]*volume{}, nextIP: 10}
	c.Faults = fault.New(opts.Seed)
	c.Faults.Define(QuotaExceeded, c.quotaFault)
	c.handler = c.Requests.Wrap(c.Faults.Wrap(http.HandlerFunc(c.serve)))
	return c
}

func defaults(o *Options) {
	for _, d := range []struct {
		s *string
		v string
	}{
		{&o.User, "minka"}, {&o.Password, "secret"}, {&o.Project, "ci"}, {&o.Domain, "Default"}, {&o.Region, "RegionOne"},
	} {
		if *d.s == "" {
			*d.s = d.v
		}
	}
	if o.BootDelay == 0 {
		o.BootDelay = 2 * time.Second
	}
	if o.Quota == (Quota{}) {
		o.Quota = Quota{Instances: 10, Cores: 40, RAM: 81920, Volumes: 10, Gigabytes: 1000}
	}
	if o.Flavors == nil {
		o.Flavors = []Flavor{{"1", "m1.small", 1, 2048, 20}, {"2", "m1.medium", 2, 4096, 40}, {"3", "m1.large", 4, 8192, 80}}
	}
	if o.Images == nil {
		o.Images = []Image{{"70a599e0-31e7-49b7-b260-868f441e862b", "ubuntu-trusty"}, {"b6a4c9a2-5c8e-4d2a-9f31-3a2b1c0d9e8f", "centos7"}}
	}
	if o.Networks == nil {
		o.Networks = []Network{{"3c3fbc5c-0c3d-4a5b-9d56-1cbe30d4e6a7", "private"}}
	}
	if o.KeyPairs == nil {
		o.KeyPairs = []string{"jenkins"}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// advance finishes boots that are due; it returns the servers that became
// ACTIVE, for OnActive to hear of outside the lock. c.mu is held.
func (c *Cloud) advance() []Server {
	var active []Server
	now := c.opts.Now()
	for _, id := range c.order {
		s := c.servers[id]
		if s.status != "BUILD" || now.Before(s.created.Add(c.opts.BootDelay)) {
			continue
		}
		s.updated = now
		if s.failBoot {
			s.setError(now)
			continue
		}
		c.nextIP++
		s.status, s.launched, s.ip = "ACTIVE", now, fmt.Sprintf("192.168.1.%d", c.nextIP)
		active = append(active, s.public())
	}
	return active
}

// setError puts s in ERROR with the fault Nova records when scheduling fails.
func (s *server) setError(now time.Time) {
	s.status, s.updated = "ERROR", now
	s.fault = map[string]any{"code": 500, "created": rfc3339(now),
		"message": "No valid host was found. There are not enough hosts available.",
		"details": "Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures."}
}

func (s *server) public() Server {
	return Server{ID: s.id, Name: s.name, IP: s.ip, Status: s.status, Metadata: s.metadata, UserData: s.userData}
}

// usage is what the project's servers consume. c.mu is held.
func (c *Cloud) usage() (instances, cores, ram int) {
	for _, s := range c.servers {
		instances, cores, ram = instances+1, cores+s.flavor.VCPUs, ram+s.flavor.RAM
	}
	return instances, cores, ram
}

// volumeUsage is what the project's volumes consume. c.mu is held.
func (c *Cloud) volumeUsage() (n, gigabytes int) {
	for _, v := range c.volumes {
		n, gigabytes = n+1, gigabytes+v.size
	}
	return n, gigabytes
}

func (c *Cloud) newVolume(name string, size int) *volume {
	v := &volume{id: newID(), name: name, size: size, status: "available", created: c.opts.Now(), metadata: map[string]string{}}
	c.volumes[v.id] = v
	c.volOrder = append(c.volOrder, v.id)
	return v
}

func (c *Cloud) deleteVolume(id string) {
	delete(c.volumes, id)
	c.volOrder = without(c.volOrder, id)
}

// deleteServer removes a server and the volumes it was to delete on
// termination; volumes attached later become available again. c.mu is held.
func (c *Cloud) deleteServer(id string) (Server, bool) {
	s := c.servers[id]
	if s == nil {
		return Server{}, false
	}
	for _, v := range s.volumes {
		c.deleteVolume(v)
	}
	for vid := range s.attached {
		if v := c.volumes[vid]; v != nil {
			v.status, v.attachedTo, v.device, v.attachmentID = "available", "", "", ""
		}
	}
	delete(c.servers, id)
	c.order = without(c.order, id)
	return s.public(), true
}

// attachVolume attaches v to s at dev (none: the next free /dev/vdX, vda
// being the root disk); the one state both Nova and Cinder show. c.mu is held.
func (c *Cloud) attachVolume(s *server, v *volume, dev string) string {
	if dev == "" {
		used := map[string]bool{}
		for _, d := range s.attached {
			used[d] = true
		}
		for l := 'b'; l <= 'z' && dev == ""; l++ {
			if d := fmt.Sprintf("/dev/vd%c", l); !used[d] {
				dev = d
			}
		}
	}
	s.attached[v.id] = dev
	v.status, v.attachedTo, v.device, v.attachmentID, v.bdmID, v.attachedAt = "in-use", s.id, dev, newID(), newID(), c.opts.Now()
	v.tag = nil
	return dev
}

// detachVolume undoes attachVolume; the volume stays. c.mu is held.
func (c *Cloud) detachVolume(s *server, vid string) {
	delete(s.attached, vid)
	s.volumes = without(s.volumes, vid)
	if v := c.volumes[vid]; v != nil {
		v.status, v.attachedTo, v.device, v.attachmentID = "available", "", "", ""
	}
}

// attachedIDs is the server's attached volumes in device order.
func (s *server) attachedIDs() []string {
	ids := make([]string, 0, len(s.attached))
	for vid := range s.attached {
		ids = append(ids, vid)
	}
	sort.Slice(ids, func(i, j int) bool { return s.attached[ids[i]] < s.attached[ids[j]] })
	return ids
}

func without(list []string, id string) []string {
	for i, o := range list {
		if o == id {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}

// Nova's created/updated carry a zone; launched_at and Cinder's times do not.
func rfc3339(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
func noZone(t time.Time) string  { return t.UTC().Format("2006-01-02T15:04:05.000000") }
