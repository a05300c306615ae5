package main

import (
	"os"
	"strings"
	"testing"
)

// FuzzParseConfig: no config file crashes the server at startup; what is
// accepted has backends with names and the tokens with roles it validated.
func FuzzParseConfig(f *testing.F) {
	if b, err := os.ReadFile("../../examples/config/server.yaml"); err == nil {
		f.Add(string(b))
	}
	f.Add("backends:\n  openstack:\n  - {name: default, cloud: ci, timeout: 5s}\n")
	f.Add("a: &a [" + strings.Repeat("*a,", 200) + "]\n")
	f.Add(strings.Repeat("[", 2000) + strings.Repeat("]", 2000))
	f.Add("auth:\n  tokens:\n" + strings.Repeat("  - {name: a, role: view, sha256: x}\n", 200))
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := parseConfig("fuzz.yaml", []byte(s))
		if err != nil {
			return
		}
		for _, m := range cfg.Backends.Marathon {
			if m.Name == "" || len(m.URLs) == 0 {
				t.Fatalf("accepted a Marathon backend without a name or URLs: %+v", m)
			}
		}
		for _, j := range cfg.Backends.Jenkins {
			if j.Name == "" || j.User == "" {
				t.Fatalf("accepted a Jenkins backend without a name or user: %+v", j)
			}
		}
	})
}
