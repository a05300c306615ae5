package v1alpha1

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func validateBackend(name string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Label(name) {
		errs = append(errs, field.Invalid(p, name, "must name a backend of the server config: "+msg))
	}
	return errs
}

func positive(v float64, p *field.Path) field.ErrorList {
	if v <= 0 {
		return field.ErrorList{field.Invalid(p, v, "must be > 0")}
	}
	return nil
}

// between checks lo <= v <= hi, naming the bound that is crossed.
func between(v, lo, hi int32, p *field.Path) field.ErrorList {
	switch {
	case v < lo:
		return field.ErrorList{field.Invalid(p, v, fmt.Sprintf("must be >= %d", lo))}
	case v > hi:
		return field.ErrorList{field.Invalid(p, v, fmt.Sprintf("must be <= %d", hi))}
	}
	return nil
}

func unitInterval(v *float64, p *field.Path) field.ErrorList {
	if v != nil && (*v < 0 || *v > 1) {
		return field.ErrorList{field.Invalid(p, *v, "must be between 0 and 1")}
	}
	return nil
}

func oneOf(v string, allowed []string, p *field.Path) field.ErrorList {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return field.ErrorList{field.NotSupported(p, v, allowed)}
}

func dnsLabel(v string, p *field.Path) field.ErrorList {
	if v == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Label(v) {
		errs = append(errs, field.Invalid(p, v, msg))
	}
	return errs
}
