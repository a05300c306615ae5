package main

import (
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"minka/apiserver"
	"minka/apiserver/shaman"
	"minka/backend"
)

// serverConfig is the file --config names: the API server's auth, the
// backends that resources refer to by name, and the shaman endpoints.
type serverConfig struct {
	Auth     apiserver.AuthConfig `json:"auth,omitempty"`
	Backends backend.Config       `json:"backends,omitempty"`
	Shaman   shaman.Config        `json:"shaman,omitempty"`
	// Secrets are the named secrets resources refer to (webhook secrets).
	Secrets []backend.NamedSecret `json:"secrets,omitempty"`
	// Git says how the Pipelines' git sources are reached.
	Git backend.Git `json:"git,omitempty"`
	// Notifications are the receivers Alerts send their events to.
	Notifications backend.Notifications `json:"notifications,omitempty"`
	// Encryption holds the keys that open values sealed by `minka encrypt`.
	Encryption backend.Encryption `json:"encryption,omitempty"`
}

// loadConfig reads and validates a config file strictly: unknown fields
// and duplicate keys are errors, and every bad field is named.
func loadConfig(path string) (serverConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return serverConfig{}, fmt.Errorf("reading config: %w", err)
	}
	return parseConfig(path, data)
}

// parseConfig decodes and validates a config file's contents; name says
// which file in errors.
func parseConfig(name string, data []byte) (serverConfig, error) {
	var cfg serverConfig
	if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", name, err)
	}
	errs := apiserver.Config{Auth: cfg.Auth}.Validate()
	errs = append(errs, cfg.Backends.Validate(field.NewPath("backends"))...)
	errs = append(errs, cfg.Shaman.Validate(field.NewPath("shaman"))...)
	errs = append(errs, backend.ValidateSecrets(cfg.Secrets, field.NewPath("secrets"))...)
	errs = append(errs, cfg.Git.Validate(field.NewPath("git"))...)
	errs = append(errs, cfg.Encryption.Validate(field.NewPath("encryption"))...)
	errs = append(errs, cfg.Notifications.Validate(field.NewPath("notifications"))...)
	if len(errs) > 0 {
		return cfg, fmt.Errorf("%s: %w", name, errs.ToAggregate())
	}
	return cfg, nil
}

// writeConfig writes cfg as YAML, readable by loadConfig.
func writeConfig(path string, cfg serverConfig) error {
	data, err := yaml.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("encoding config: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	return nil
}
