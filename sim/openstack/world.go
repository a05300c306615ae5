package openstack

import "fmt"

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

// FailBoot makes a server still in BUILD end in ERROR, with a fault, as
// when Nova finds no valid host.
func (c *Cloud) FailBoot(id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.servers[id]
	if s == nil || s.status != "BUILD" {
		return fmt.Errorf("no server %s in BUILD", id)
	}
	s.failBoot = true
	return nil
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
	if onActive != nil {
		for _, s := range active {
			onActive(s)
		}
	}
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
