package apiserver

import (
	"net/http/httptest"
	"testing"
)

func TestWantsTable(t *testing.T) {
	for _, tt := range []struct {
		accept  string
		version string
		ok      bool
	}{
		{"application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", "v1", true},
		{"application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json", "v1beta1", true},
		{"application/json;as=Table;v=v2;g=meta.k8s.io,application/json", "", false},
		{"application/json, application/json;as=Table;v=v1;g=meta.k8s.io", "", false},
		{"application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io", "", false},
		{"", "", false},
	} {
		r := httptest.NewRequest("GET", "/apis/minka.dev/v1alpha1/deployments", nil)
		r.Header.Set("Accept", tt.accept)
		if v, ok := wantsTable(r); v != tt.version || ok != tt.ok {
			t.Errorf("Accept %q: %q %v, want %q %v", tt.accept, v, ok, tt.version, tt.ok)
		}
	}
}
