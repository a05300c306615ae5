package client

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"sigs.k8s.io/yaml"
)

// DefaultServer is where `minka server` listens by default.
const DefaultServer = "http://127.0.0.1:7070"

// Config says where the server is and how to authenticate.
type Config struct {
	Server string `json:"server,omitempty"`
	Token  string `json:"token,omitempty"`
	// CAFile is the PEM bundle that signed an https server's certificate
	// (default: the system's roots).
	CAFile     string        `json:"certificateAuthority,omitempty"`
	Timeout    time.Duration `json:"-"`
	HTTPClient *http.Client  `json:"-"`
}

// ConfigPath is the file `minka login` writes: $MINKA_CONFIG, else
// $XDG_CONFIG_HOME/minka/config.yaml (~/.config/minka/config.yaml).
func ConfigPath() (string, error) {
	if p := os.Getenv("MINKA_CONFIG"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the config directory: %w", err)
	}
	return filepath.Join(dir, "minka", "config.yaml"), nil
}

// LoadConfig layers the sources, each field taken from the first that
// sets it: flags (server, token arguments), then MINKA_SERVER/MINKA_TOKEN,
// then the config file, then DefaultServer.
func LoadConfig(server, token string) (Config, error) {
	cfg := Config{Server: server, Token: token}
	if cfg.Server == "" {
		cfg.Server = os.Getenv("MINKA_SERVER")
	}
	if cfg.Token == "" {
		cfg.Token = os.Getenv("MINKA_TOKEN")
	}
	if cfg.Server == "" || cfg.Token == "" {
		file, err := readConfigFile()
		if err != nil {
			return cfg, err
		}
		// A token saved for one server is not sent to another.
		if cfg.Token == "" && (cfg.Server == "" || cfg.Server == file.Server) {
			cfg.Token = file.Token
		}
		if cfg.Server == "" {
			cfg.Server = file.Server
		}
	}
	if cfg.Server == "" {
		cfg.Server = DefaultServer
	}
	return cfg, nil
}

func readConfigFile() (Config, error) {
	var cfg Config
	p, err := ConfigPath()
	if err != nil {
		return cfg, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("reading %s: %w", p, err)
	}
	if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", p, err)
	}
	return cfg, nil
}

// SaveConfig writes server and token to the config file, readable only by
// its owner.
func SaveConfig(cfg Config) (string, error) {
	p, err := ConfigPath()
	if err != nil {
		return "", err
	}
	data, err := yaml.Marshal(Config{Server: cfg.Server, Token: cfg.Token})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", fmt.Errorf("creating %s: %w", filepath.Dir(p), err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", p, err)
	}
	return p, nil
}
