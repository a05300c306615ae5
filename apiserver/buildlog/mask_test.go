package buildlog

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/sealed"
	"minka/api/v1alpha1"
)

func TestMask(t *testing.T) {
	text, _ := sealed.NewKey()
	keys, err := sealed.ParseKeys(text)
	if err != nil {
		t.Fatal(err)
	}
	seal := func(scope, v string) string {
		s, err := sealed.Seal(keys.Recipient(), scope, v)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	p := &v1alpha1.Pipeline{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "webapp"}, Spec: v1alpha1.PipelineSpec{
		Parameters: map[string]string{"TOKEN": seal(sealed.PipelineScope("ci", "webapp"), "tok-123"), "MODE": "fast",
			"WRONG": seal(sealed.NamespaceScope("prod"), "never-opened")}}}
	b := &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "webapp-1"}, Spec: v1alpha1.BuildSpec{Pipeline: "webapp",
		Parameters: map[string]string{"PW": seal(sealed.NamespaceScope("ci"), "pw-tok-123-longer")}}}
	tests := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"whole values", []string{"+ echo TOKEN=tok-123\n+ echo PW=pw-tok-123-longer\n"}, "+ echo TOKEN=****\n+ echo PW=****\n"},
		{"a value across chunks", []string{"TOKEN=tok", "-1", "23 done\n"}, "TOKEN=**** done\n"},
		{"a held tail that is no value after all", []string{"tok-", "999\n"}, "tok-999\n"},
		{"the last chunk ends in a prefix", []string{"x tok-12"}, "x tok-12"},
		{"clear parameters and unopened values are not masked", []string{"fast never-opened\n"}, "fast never-opened\n"},
	}
	for _, tt := range tests {
		m := newMasker(keys, p, b)
		var got strings.Builder
		for i, ch := range tt.chunks {
			out := m.mask(ch, i == len(tt.chunks)-1)
			if strings.Contains(out, "tok-123") {
				t.Errorf("%s: chunk %d shows a value: %q", tt.name, i, out)
			}
			got.WriteString(out)
		}
		if got.String() != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got.String(), tt.want)
		}
	}
	if m := newMasker(nil, p, b); m.mask("tok-123", true) != "tok-123" {
		t.Error("without keys nothing opens, so nothing is masked")
	}
}
