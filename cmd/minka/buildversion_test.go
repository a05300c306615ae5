package main

import (
	"runtime/debug"
	"testing"

	utilversion "k8s.io/apimachinery/pkg/util/version"
)

func TestGitVersion(t *testing.T) {
	info := &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "339c1d3aa0b2c3d4"}, {Key: "vcs.modified", Value: "true"}}}
	for _, tt := range []struct {
		in   string
		info *debug.BuildInfo
		want string
	}{
		{"v0.1.0-3-g339c1d3", info, "v0.1.0-3-g339c1d3"},
		{"0.2.0", info, "v0.2.0"},
		{"dev", info, "v0.1.0-dev+339c1d3.dirty"},
		{"e2e", &debug.BuildInfo{}, "v0.1.0-e2e"},
		{"", nil, "v0.1.0-dev"},
	} {
		got := gitVersion(tt.in, tt.info, tt.info != nil)
		if got != tt.want {
			t.Errorf("gitVersion(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if _, err := utilversion.ParseSemantic(got[1:]); err != nil {
			t.Errorf("%q is not semver: %v", got, err)
		}
	}
}
