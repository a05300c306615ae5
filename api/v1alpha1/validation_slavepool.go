package v1alpha1

import (
	"fmt"
	"strings"
	"text/template"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/labelexpr"
)

func validateSlavePool(s *SlavePoolSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateBackend(s.Jenkins, p.Child("jenkins"))...)
	errs = append(errs, validateBackend(s.Cloud, p.Child("cloud"))...)
	errs = append(errs, validateJenkinsLabels(s.Labels, p.Child("labels"))...)
	if s.Executors < 1 {
		errs = append(errs, field.Invalid(p.Child("executors"), s.Executors, "must be >= 1"))
	}
	if len(s.RemoteFS) > maxPathBytes {
		errs = append(errs, field.TooLong(p.Child("remoteFS"), "", maxPathBytes))
	} else if !strings.HasPrefix(s.RemoteFS, "/") {
		errs = append(errs, field.Invalid(p.Child("remoteFS"), s.RemoteFS, "must be an absolute path"))
	}
	errs = append(errs, validateSizes(s, p)...)
	for _, d := range []struct {
		name string
		v    *Duration
	}{{"idleTimeout", s.IdleTimeout}, {"bootTimeout", s.BootTimeout}, {"drainTimeout", s.DrainTimeout}} {
		if d.v != nil && d.v.Duration <= 0 {
			errs = append(errs, field.Invalid(p.Child(d.name), d.v.Duration.String(), "must be > 0"))
		}
	}
	return append(errs, validateTemplate(&s.Template, p.Child("template"))...)
}

// validateSizes checks 0 <= min <= replicas <= max <= MaxPoolReplicas
// (replicas within min and max only when autoscale is off: the
// autoscaler then owns it), and minIdle.
func validateSizes(s *SlavePoolSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	replicas, maxR := deref(s.Replicas, s.MinReplicas), deref(s.MaxReplicas, 0)
	errs = append(errs, between(replicas, 0, MaxPoolReplicas, p.Child("replicas"))...)
	if maxR > MaxPoolReplicas {
		errs = append(errs, field.Invalid(p.Child("maxReplicas"), maxR, fmt.Sprintf("must be <= %d", MaxPoolReplicas)))
	}
	if s.MinReplicas < 0 {
		errs = append(errs, field.Invalid(p.Child("minReplicas"), s.MinReplicas, "must be >= 0"))
	}
	if maxR < s.MinReplicas {
		errs = append(errs, field.Invalid(p.Child("maxReplicas"), maxR, fmt.Sprintf("must be >= spec.minReplicas (%d)", s.MinReplicas)))
	}
	autoscale := s.Autoscale != nil && s.Autoscale.Enabled
	if !autoscale && replicas >= 0 && replicas <= MaxPoolReplicas && maxR >= s.MinReplicas {
		if replicas > maxR {
			errs = append(errs, field.Invalid(p.Child("replicas"), replicas, fmt.Sprintf("must be <= spec.maxReplicas (%d)", maxR)))
		}
		if replicas < s.MinReplicas {
			errs = append(errs, field.Invalid(p.Child("replicas"), replicas, fmt.Sprintf("must be >= spec.minReplicas (%d)", s.MinReplicas)))
		}
	}
	if a := s.Autoscale; a != nil {
		if a.MinIdle < 0 || a.MinIdle > maxR {
			errs = append(errs, field.Invalid(p.Child("autoscale", "minIdle"), a.MinIdle, fmt.Sprintf("must be between 0 and spec.maxReplicas (%d)", maxR)))
		}
		if a.Cooldown != nil && a.Cooldown.Duration < 0 {
			errs = append(errs, field.Invalid(p.Child("autoscale", "cooldown"), a.Cooldown.Duration.String(), "must be >= 0"))
		}
	}
	return errs
}

// validateJenkinsLabels checks each label is one Jenkins label atom, so a
// label expression can name it.
func validateJenkinsLabels(labels []string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(labels) == 0 {
		return field.ErrorList{field.Required(p, "a pool serves jobs by label: give at least one")}
	}
	seen := sets.New[string]()
	for i, l := range labels {
		switch {
		case len(l) > labelexpr.MaxLength:
			// An expression can be no longer, so could never name it.
			errs = append(errs, field.TooLong(p.Index(i), "", labelexpr.MaxLength))
		case l == "" || strings.ContainsAny(l, " \t\r\n&|!()<>=\"") || strings.Contains(l, "->"):
			errs = append(errs, field.Invalid(p.Index(i), l, "a Jenkins label has no whitespace and none of & | ! ( ) < > = \""))
		case seen.Has(l):
			errs = append(errs, field.Duplicate(p.Index(i), l))
		}
		seen.Insert(l)
	}
	return errs
}

func validateTemplate(t *ServerTemplate, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if t.Image == "" {
		errs = append(errs, field.Required(p.Child("image"), "the Glance image (name or id) agents boot from"))
	}
	if t.Flavor == "" {
		errs = append(errs, field.Required(p.Child("flavor"), "the Nova flavor (name or id) of agents"))
	}
	errs = append(errs, tooLong(t.Image, maxOpenStackNameBytes, p.Child("image"))...)
	errs = append(errs, tooLong(t.Flavor, maxOpenStackNameBytes, p.Child("flavor"))...)
	errs = append(errs, tooLong(t.KeyName, maxOpenStackNameBytes, p.Child("keyName"))...)
	errs = append(errs, tooLong(t.AvailabilityZone, maxOpenStackNameBytes, p.Child("availabilityZone"))...)
	errs = append(errs, texts(t.Networks, maxOpenStackNameBytes, p.Child("networks"))...)
	errs = append(errs, texts(t.SecurityGroups, maxOpenStackNameBytes, p.Child("securityGroups"))...)
	if t.VolumeSizeGB < 0 {
		errs = append(errs, field.Invalid(p.Child("volumeSizeGB"), t.VolumeSizeGB, "must be >= 0"))
	}
	for i, n := range t.Networks {
		if n == "" {
			errs = append(errs, field.Required(p.Child("networks").Index(i), ""))
		}
	}
	for i, g := range t.SecurityGroups {
		if g == "" {
			errs = append(errs, field.Required(p.Child("securityGroups").Index(i), ""))
		}
	}
	for k, v := range t.Metadata {
		mp := p.Child("metadata").Key(k)
		switch {
		case k == "":
			errs = append(errs, field.Required(mp, "Nova metadata keys are 1-255 characters"))
		case len(k) > maxOpenStackNameBytes || len(v) > maxOpenStackNameBytes:
			e := field.TooLong(mp, "", maxOpenStackNameBytes)
			e.Detail = "Nova metadata keys and values are 1-255 characters"
			errs = append(errs, e)
		}
	}
	if len(t.UserData) > maxUserDataBytes {
		e := field.TooLong(p.Child("userData"), "", maxUserDataBytes)
		e.Detail += " (Nova takes at most 65535 characters of base64)"
		errs = append(errs, e)
	} else if t.UserData != "" {
		if _, err := template.New("userData").Parse(t.UserData); err != nil {
			errs = append(errs, field.Invalid(p.Child("userData"), "(template)", "not a Go text/template: "+err.Error()))
		}
	}
	return errs
}
