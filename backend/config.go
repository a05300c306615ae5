// Package backend is the server config's backends section: the Marathon,
// Jenkins, OpenStack and chacra systems that resources name (spec.marathon,
// spec.jenkins, spec.cloud, spec.chacra), and where their secrets come from. Clients
// are built from it once per process; secrets are read from files or
// environment variables when a client is built, never from manifests.
// Its subpackages are what every backend client shares: transport (the
// deadline, metrics and last failure of each request), readcache (a read
// shared between callers and forgotten after any write), jenkins (the
// Jenkins client of the SlavePool and Pipeline controllers) and chacra
// (the health-checked chacra nodes of the Repo controller and the shaman
// endpoints).
package backend

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Config lists the backends by kind; each has a unique name per kind.
type Config struct {
	Marathon  []Marathon  `json:"marathon,omitempty"`
	Jenkins   []Jenkins   `json:"jenkins,omitempty"`
	OpenStack []OpenStack `json:"openstack,omitempty"`
	Chacra    []Chacra    `json:"chacra,omitempty"`
}

// Chacra is a set of chacra nodes that share one API user and key, the
// upload nodes shaman hands out and the Repo controller builds on.
type Chacra struct {
	Name  string       `json:"name"`
	Nodes []ChacraNode `json:"nodes,omitempty"`
	// User and Key are chacra's api_user and api_key (basic auth of its
	// writes).
	User string `json:"user"`
	Key  Secret `json:"key"`
	// Timeout bounds each request (default 10s).
	Timeout metav1.Duration `json:"timeout,omitempty"`
	// HealthInterval is how often every node's /health/ is checked
	// (default 10s); a node that fails a check is skipped until one
	// passes.
	HealthInterval metav1.Duration `json:"healthInterval,omitempty"`
	// RegisterScheme is the scheme of nodes that register themselves
	// (POST /api/nodes/{host}/ of the shaman endpoints): shaman reaches
	// them at https://{host}/ (default "https").
	RegisterScheme string `json:"registerScheme,omitempty"`
}

// ChacraNode is one chacra server.
type ChacraNode struct {
	// Name is how Repos' status and spec.node name it (default: the
	// URL's host:port, as shaman names nodes).
	Name string `json:"name,omitempty"`
	URL  string `json:"url"`
}

// DefaultHealthInterval is how often chacra nodes are checked.
const DefaultHealthInterval = 10 * time.Second

// NodeName is the node's name, defaulted to its URL's host.
func (n ChacraNode) NodeName() string {
	if n.Name != "" {
		return n.Name
	}
	if u, err := url.Parse(n.URL); err == nil && u.Host != "" {
		return u.Host
	}
	return n.URL
}

// FindChacra returns the chacra backend of that name.
func (c Config) FindChacra(name string) (Chacra, bool) {
	for _, ch := range c.Chacra {
		if ch.Name == name {
			return ch, true
		}
	}
	return Chacra{}, false
}

// Marathon is a Marathon cluster and the Mesos master under it.
type Marathon struct {
	Name string `json:"name"`
	// URLs are the Marathon instances; requests fail over between them.
	URLs []string `json:"urls"`
	// MesosURL is the Mesos master (operator API at /api/v1), used to
	// explain tasks that do not fit.
	MesosURL string `json:"mesosURL,omitempty"`
	// User and Password are HTTP basic auth, if Marathon wants it.
	User     string `json:"user,omitempty"`
	Password Secret `json:"password,omitempty"`
	// Timeout bounds each request (default 10s).
	Timeout metav1.Duration `json:"timeout,omitempty"`
	// VerifyProxy is an HTTP proxy for the post-rollout verify GETs, for
	// when task addresses are not reachable from minka directly.
	VerifyProxy string `json:"verifyProxy,omitempty"`
}

// Jenkins is a Jenkins master reached with a user and API token.
type Jenkins struct {
	Name  string `json:"name"`
	URL   string `json:"url"`
	User  string `json:"user"`
	Token Secret `json:"token"`
	// Timeout bounds each request (default 10s).
	Timeout metav1.Duration `json:"timeout,omitempty"`
}

// OpenStack is a cloud of a clouds.yaml.
type OpenStack struct {
	Name string `json:"name"`
	// Cloud is the entry in the clouds.yaml file (OS_CLOUD).
	Cloud string `json:"cloud"`
	// CloudsFile is the clouds.yaml (default: OS_CLIENT_CONFIG_FILE, then
	// the standard locations).
	CloudsFile string `json:"cloudsFile,omitempty"`
	// Timeout bounds each request, Keystone's included (default 10s).
	Timeout metav1.Duration `json:"timeout,omitempty"`
}

// Secret is read from a file or an environment variable, never written
// in the config itself.
type Secret struct {
	File string `json:"file,omitempty"`
	Env  string `json:"env,omitempty"`
}

// Value reads the secret; the zero Secret is "".
func (s Secret) Value() (string, error) {
	switch {
	case s.File != "":
		b, err := os.ReadFile(s.File)
		if err != nil {
			return "", fmt.Errorf("reading secret: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	case s.Env != "":
		v, ok := os.LookupEnv(s.Env)
		if !ok {
			return "", fmt.Errorf("secret: environment variable %s is not set", s.Env)
		}
		return v, nil
	}
	return "", nil
}

// DefaultTimeout bounds a backend request when its config names none.
const DefaultTimeout = 10 * time.Second

// RequestTimeout is the timeout, defaulted.
func RequestTimeout(d metav1.Duration) time.Duration {
	if d.Duration <= 0 {
		return DefaultTimeout
	}
	return d.Duration
}

// FindMarathon returns the Marathon backend of that name.
func (c Config) FindMarathon(name string) (Marathon, bool) {
	for _, m := range c.Marathon {
		if m.Name == name {
			return m, true
		}
	}
	return Marathon{}, false
}

// Validate names every bad field under path p (the config's "backends").
func (c Config) Validate(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := func(kind string, i int, name string, seen map[string]bool) {
		errs = append(errs, uniqueName(p.Child(kind).Index(i).Child("name"), name, "resources refer to the backend by it", seen)...)
	}
	seen := map[string]bool{}
	for i, m := range c.Marathon {
		mp := p.Child("marathon").Index(i)
		names("marathon", i, m.Name, seen)
		if len(m.URLs) == 0 {
			errs = append(errs, field.Required(mp.Child("urls"), "at least one Marathon URL"))
		}
		for j, u := range m.URLs {
			errs = append(errs, httpURL(mp.Child("urls").Index(j), u)...)
		}
		if m.MesosURL != "" {
			errs = append(errs, httpURL(mp.Child("mesosURL"), m.MesosURL)...)
		}
		if m.VerifyProxy != "" {
			errs = append(errs, httpURL(mp.Child("verifyProxy"), m.VerifyProxy)...)
		}
		errs = append(errs, m.Password.validate(mp.Child("password"))...)
		errs = append(errs, timeout(mp.Child("timeout"), m.Timeout)...)
	}
	seen = map[string]bool{}
	for i, j := range c.Jenkins {
		jp := p.Child("jenkins").Index(i)
		names("jenkins", i, j.Name, seen)
		errs = append(errs, httpURL(jp.Child("url"), j.URL)...)
		if j.User == "" {
			errs = append(errs, field.Required(jp.Child("user"), "Jenkins API tokens belong to a user"))
		}
		if j.Token == (Secret{}) {
			errs = append(errs, field.Required(jp.Child("token"), "file or env holding the API token"))
		}
		errs = append(errs, j.Token.validate(jp.Child("token"))...)
		errs = append(errs, timeout(jp.Child("timeout"), j.Timeout)...)
	}
	seen = map[string]bool{}
	for i, o := range c.OpenStack {
		names("openstack", i, o.Name, seen)
		if o.Cloud == "" {
			errs = append(errs, field.Required(p.Child("openstack").Index(i).Child("cloud"), "the clouds.yaml entry"))
		}
		errs = append(errs, timeout(p.Child("openstack").Index(i).Child("timeout"), o.Timeout)...)
	}
	seen = map[string]bool{}
	for i, ch := range c.Chacra {
		cp := p.Child("chacra").Index(i)
		names("chacra", i, ch.Name, seen)
		if ch.User == "" {
			errs = append(errs, field.Required(cp.Child("user"), "chacra's api_user, for uploads, updates and recreates"))
		}
		if ch.Key == (Secret{}) {
			errs = append(errs, field.Required(cp.Child("key"), "file or env holding chacra's api_key"))
		}
		errs = append(errs, ch.Key.validate(cp.Child("key"))...)
		nodes := map[string]bool{}
		for j, n := range ch.Nodes {
			np := cp.Child("nodes").Index(j)
			errs = append(errs, httpURL(np.Child("url"), n.URL)...)
			if name := n.NodeName(); nodes[name] {
				errs = append(errs, field.Duplicate(np.Child("name"), name))
			} else {
				nodes[name] = true
			}
		}
		if ch.RegisterScheme != "" && ch.RegisterScheme != "http" && ch.RegisterScheme != "https" {
			errs = append(errs, field.NotSupported(cp.Child("registerScheme"), ch.RegisterScheme, []string{"http", "https"}))
		}
		errs = append(errs, timeout(cp.Child("timeout"), ch.Timeout)...)
		if ch.HealthInterval.Duration < 0 || (ch.HealthInterval.Duration > 0 && ch.HealthInterval.Duration < 100*time.Millisecond) {
			errs = append(errs, field.Invalid(cp.Child("healthInterval"), ch.HealthInterval.Duration.String(), "must be at least 100ms (0 or unset: 10s)"))
		}
	}
	return errs
}

func (s Secret) validate(p *field.Path) field.ErrorList {
	if s.File != "" && s.Env != "" {
		return field.ErrorList{field.Invalid(p, s, "set file or env, not both")}
	}
	return nil
}

func timeout(p *field.Path, d metav1.Duration) field.ErrorList {
	if d.Duration < 0 {
		return field.ErrorList{field.Invalid(p, d.Duration.String(), "must not be negative (0 or unset: 10s)")}
	}
	return nil
}

func httpURL(p *field.Path, s string) field.ErrorList {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return field.ErrorList{field.Invalid(p, s, "must be an http:// or https:// URL")}
	}
	return nil
}

// NamedSecret is a secret that resources name (a Pipeline's
// spec.trigger.webhook.secretRef): the server config's `secrets:` list.
type NamedSecret struct {
	Name string `json:"name"`
	Secret
}

// FindSecret returns the secret of that name.
func FindSecret(secrets []NamedSecret, name string) (Secret, bool) {
	for _, s := range secrets {
		if s.Name == name {
			return s.Secret, true
		}
	}
	return Secret{}, false
}

// uniqueName is the check of a list entry's name at p: set (why says
// what refers to it) and not one seen before; seen collects the names.
func uniqueName(p *field.Path, name, why string, seen map[string]bool) field.ErrorList {
	defer func() { seen[name] = true }()
	switch {
	case name == "":
		return field.ErrorList{field.Required(p, why)}
	case seen[name]:
		return field.ErrorList{field.Duplicate(p, name)}
	}
	return nil
}

// ValidateSecrets names every bad entry of the `secrets:` list at p.
func ValidateSecrets(secrets []NamedSecret, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, s := range secrets {
		sp := p.Index(i)
		errs = append(errs, uniqueName(sp.Child("name"), s.Name, "resources refer to the secret by it", seen)...)
		if s.Secret == (Secret{}) {
			errs = append(errs, field.Required(sp, "file or env holding the secret"))
		}
		errs = append(errs, s.validate(sp)...)
	}
	return errs
}

// Encryption holds the server's keys for values sealed in manifests
// (`minka encrypt`): age identities (AGE-SECRET-KEY-1..., as age-keygen
// writes them), each from a file or an environment variable, the newest
// first. The newest seals; every one opens, so that a key can be rotated
// while objects still hold values sealed with the one before.
type Encryption struct {
	Keys []Secret `json:"keys,omitempty"`
}

// Validate names every bad key entry under p (the config's "encryption").
func (e Encryption) Validate(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, k := range e.Keys {
		kp := p.Child("keys").Index(i)
		if k == (Secret{}) {
			errs = append(errs, field.Required(kp, "file or env holding age identities"))
		}
		errs = append(errs, k.validate(kp)...)
	}
	return errs
}
