package v1alpha1

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/sealed"
)

func testKeys(t *testing.T) *sealed.Keys {
	t.Helper()
	text, err := sealed.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := sealed.ParseKeys(text)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func seal(t *testing.T, k *sealed.Keys, scope, v string) string {
	t.Helper()
	s, err := sealed.Seal(k.Recipient(), scope, v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Sealed values are checked for their form when written (no key is
// needed for that); a webhook secret must be sealed; errors never quote
// a sealed value.
func TestValidateSealed(t *testing.T) {
	k := testKeys(t)
	good := seal(t, k, sealed.NamespaceScope("ci"), "hunter2")
	broken := sealed.Prefix + "0123456789abcdef:not*base64"
	webhook := func(ref, secret string) Object {
		p := validPipeline()
		p.Namespace = "ci"
		p.Spec.Trigger = &Trigger{Webhook: &WebhookTrigger{SecretRef: ref, Secret: secret}}
		return p
	}
	cases := []struct {
		reason string
		obj    Object
		want   string
	}{
		{"a sealed env value", func() Object {
			d := validDeployment()
			d.Spec.Env = map[string]string{"DB_PASSWORD": good, "MODE": "fast"}
			return d
		}(), ""},
		{"a broken sealed env value", func() Object { d := validDeployment(); d.Spec.Env = map[string]string{"DB_PASSWORD": broken}; return d }(), "spec.env[DB_PASSWORD]: Invalid value: \"(sealed value)\": sealed value: the data is not base64"},
		{"a broken sealed parameter", func() Object {
			p := validPipeline()
			p.Spec.Parameters = map[string]string{"TOKEN": sealed.Prefix + "zz:AAAA"}
			return p
		}(), "spec.parameters[TOKEN]: Invalid value: \"(sealed value)\": sealed value: malformed key id"},
		{"a broken sealed Build parameter", &Build{ObjectMeta: validPipeline().ObjectMeta, Spec: BuildSpec{Pipeline: "webapp", Branch: "main", Parameters: map[string]string{"TOKEN": broken}}}, "spec.parameters[TOKEN]: Invalid value"},
		{"a sealed webhook secret", webhook("", good), ""},
		{"a webhook secretRef", webhook("webapp-hook", ""), ""},
		{"a webhook secret in clear", webhook("", "hunter2"), "spec.trigger.webhook.secret: Invalid value: \"(redacted)\": must be sealed"},
		{"both secret and secretRef", webhook("webapp-hook", good), "spec.trigger.webhook.secret: Forbidden: set secret or secretRef, not both"},
		{"neither secret nor secretRef", webhook("", ""), "spec.trigger.webhook.secretRef: Required value"},
	}
	for _, c := range cases {
		Default(c.obj)
		err := Validate(c.obj).ToAggregate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.reason, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.reason, err, c.want)
		}
		if err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "not*base64")) {
			t.Errorf("%s: the error quotes the value: %v", c.reason, err)
		}
	}
}

// Each kind's sealed fields open for their scopes: a Deployment's for its
// namespace, a Pipeline's and its Builds' for the Pipeline or the
// namespace; opened elsewhere, the error names the field.
func TestSealedFieldsOpenInTheirScopes(t *testing.T) {
	k := testKeys(t)
	ns, pl := sealed.NamespaceScope("ci"), sealed.PipelineScope("ci", "webapp")
	d := validDeployment()
	d.Spec.Env = map[string]string{"A": seal(t, k, ns, "a"), "B": "clear"}
	p := validPipeline()
	p.Namespace = "ci"
	p.Spec.Parameters = map[string]string{"P": seal(t, k, pl, "p"), "Q": seal(t, k, ns, "q")}
	p.Spec.Trigger = &Trigger{Webhook: &WebhookTrigger{Secret: seal(t, k, pl, "hook")}}
	b := &Build{Spec: BuildSpec{Pipeline: "webapp", Parameters: map[string]string{"R": seal(t, k, pl, "r")}}}
	b.Namespace = "ci"
	other := &Build{Spec: BuildSpec{Pipeline: "other", Parameters: map[string]string{"R": b.Spec.Parameters["R"]}}}
	other.Namespace = "ci"
	moved := d.DeepCopy()
	moved.Namespace = "prod"

	var got []string
	for _, obj := range []Object{d, p, b} {
		for _, f := range SealedFields(obj) {
			v, err := OpenValue(k, f)
			if err != nil {
				t.Errorf("%s: %v", f.Path, err)
			}
			got = append(got, f.Path.String()+"="+v)
		}
	}
	want := "spec.env[A]=a spec.env[B]=clear spec.parameters[P]=p spec.parameters[Q]=q spec.trigger.webhook.secret=hook spec.parameters[R]=r"
	if strings.Join(got, " ") != want {
		t.Errorf("opened:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	for _, c := range []struct {
		obj  Object
		want string
	}{
		{moved, "spec.env[A]: sealed for another scope: it was sealed for namespace/ci, not namespace/prod"},
		{other, "spec.parameters[R]: sealed for another scope: it was sealed for pipeline/ci/webapp, not pipeline/ci/other or namespace/ci"},
	} {
		var errs []string
		for _, f := range SealedFields(c.obj) {
			if _, err := OpenValue(k, f); err != nil {
				errs = append(errs, err.Error())
			}
		}
		if len(errs) != 1 || !strings.Contains(errs[0], c.want) {
			t.Errorf("%s/%s: %v, want %q", c.obj.GetNamespace(), c.obj.GetName(), errs, c.want)
		}
	}
	if _, err := OpenMap(k, moved.Spec.Env, field.NewPath("spec", "env"), sealed.NamespaceScope("prod")); err == nil || !strings.Contains(err.Error(), "spec.env[A]") {
		t.Errorf("OpenMap in another namespace: %v", err)
	}
}
