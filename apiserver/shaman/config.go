package shaman

import (
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/backend"
)

// Config is the server config's `shaman:` section.
type Config struct {
	// Chacra is the backend whose nodes serve next and that
	// registrations and callbacks join (default "default").
	Chacra string `json:"chacra,omitempty"`
	// User and Key are the basic auth of the write paths and of next, as
	// shaman's api_user and api_key.
	User string         `json:"user"`
	Key  backend.Secret `json:"key"`
	// ReadAuth puts reads behind minka's bearer tokens (role view);
	// shaman's reads are open.
	ReadAuth bool `json:"readAuth,omitempty"`
	// Namespace is where discovered Repos are created (default
	// "default").
	Namespace string `json:"namespace,omitempty"`
}

func (c *Config) defaults() {
	if c.Chacra == "" {
		c.Chacra = "default"
	}
	if c.Namespace == "" {
		c.Namespace = "default"
	}
}

// BackendName is the chacra backend the endpoints use (Chacra, or
// "default").
func (c Config) BackendName() string {
	c.defaults()
	return c.Chacra
}

// Validate names each bad field under p. The zero Config (no shaman
// section) is valid: the endpoints then serve reads, and refuse next and
// every write with shaman's 401, as no credentials can match.
func (c Config) Validate(p *field.Path) field.ErrorList {
	if c == (Config{}) {
		return nil
	}
	c.defaults()
	var errs field.ErrorList
	for _, m := range validation.IsDNS1123Label(c.Chacra) {
		errs = append(errs, field.Invalid(p.Child("chacra"), c.Chacra, m))
	}
	for _, m := range validation.IsDNS1123Label(c.Namespace) {
		errs = append(errs, field.Invalid(p.Child("namespace"), c.Namespace, m))
	}
	if c.User == "" {
		errs = append(errs, field.Required(p.Child("user"), "the basic-auth user of chacra's callbacks and Jenkins' reports (shaman's api_user)"))
	} else if len(c.User) > 256 || containsColon(c.User) {
		errs = append(errs, field.Invalid(p.Child("user"), c.User, "must be at most 256 characters without ':'"))
	}
	if c.Key == (backend.Secret{}) {
		errs = append(errs, field.Required(p.Child("key"), "the basic-auth key (shaman's api_key), from a file or an environment variable"))
	} else if c.Key.File != "" && c.Key.Env != "" {
		// The key itself is read when the endpoints are built (New), as
		// the backends' secrets are.
		errs = append(errs, field.Invalid(p.Child("key"), c.Key, "set file or env, not both"))
	}
	return errs
}

func containsColon(s string) bool {
	for _, r := range s {
		if r == ':' {
			return true
		}
	}
	return false
}
