package slavepool

import (
	"strings"
	"testing"

	"minka/api/v1alpha1"
)

// TestRenderedUserDataLimit: a template within its limit that renders
// past Nova's (65535 base64 characters, 49149 bytes) is refused before
// anything is made, naming both sizes; one that renders within it is not.
func TestRenderedUserDataLimit(t *testing.T) {
	vars := userDataVars{JenkinsURL: "http://jenkins:8080/", NodeName: "ci-pool-00", Secret: strings.Repeat("0", 64)}
	cases := []struct {
		reason   string
		template string
		wantErr  string
	}{
		{"the default template", "", ""},
		{"770 secrets: 49280 bytes", strings.Repeat("{{.Secret}}", 770), "renders to 49280 bytes, more than Nova's 49149"},
		{"767 secrets: 49088 bytes", strings.Repeat("{{.Secret}}", 767), ""},
	}
	for _, c := range cases {
		p := &v1alpha1.SlavePool{}
		p.Spec.Template.UserData = c.template
		out, err := renderUserData(p, vars)
		switch {
		case c.wantErr == "" && (err != nil || len(out) == 0 || len(out) > v1alpha1.MaxUserDataBytes):
			t.Errorf("%s: %d bytes, %v; want it rendered within the limit", c.reason, len(out), err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: %d bytes, %v; want %q", c.reason, len(out), err, c.wantErr)
		}
	}
}
