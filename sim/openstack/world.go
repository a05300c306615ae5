package openstack

import (
	"fmt"
	"os"
)

// Servers returns the servers that exist, in creation order.
func (c *Cloud) Servers() []Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Server
	for _, id := range c.order {
		out = append(out, c.servers[id].public())
	}
	return out
}

// SetQuota changes the project's quota.
func (c *Cloud) SetQuota(q Quota) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opts.Quota = q
}

// Volumes is the number of volumes that exist (leak checks).
func (c *Cloud) Volumes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.volumes)
}

// SetHooks sets what the rest of the world does when a server becomes
// ACTIVE or is deleted (see Options.OnActive, OnDelete).
func (c *Cloud) SetHooks(onActive, onDelete func(Server)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opts.OnActive, c.opts.OnDelete = onActive, onDelete
}

// Tick moves time on without a request: boots that are due finish and
// OnActive hears of them.
func (c *Cloud) Tick() {
	c.mu.Lock()
	active := c.advance()
	onActive := c.opts.OnActive
	c.mu.Unlock()
	notify(onActive, active)
}

// CloudsYAML is a clouds.yaml naming this cloud as name, reached at
// authURL (its /identity/v3), for OS_CLIENT_CONFIG_FILE.
func (c *Cloud) CloudsYAML(name, authURL string) string {
	return fmt.Sprintf(`clouds:
  %s:
    auth:
      auth_url: %s
      username: %s
      password: %s
      project_name: %s
      user_domain_name: %s
      project_domain_name: %s
    region_name: %s
    identity_api_version: 3
`, name, authURL, c.opts.User, c.opts.Password, c.opts.Project, c.opts.Domain, c.opts.Domain, c.opts.Region)
}

// WriteCloudsYAML writes a clouds.yaml for this cloud, named "minka-sim"
// and reached at its base URL (SetBaseURL), to path.
func (c *Cloud) WriteCloudsYAML(path string) error {
	base := c.BaseURL()
	if base == "" {
		return fmt.Errorf("openstack: write %s: no base URL yet (call SetBaseURL)", path)
	}
	if err := os.WriteFile(path, []byte(c.CloudsYAML("minka-sim", base+IdentityPath+"/v3")), 0o600); err != nil {
		return fmt.Errorf("openstack: write clouds.yaml: %w", err)
	}
	return nil
}
