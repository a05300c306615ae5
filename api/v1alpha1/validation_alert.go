package v1alpha1

import (
	"path"
	"time"

	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	alertSeverities = []string{EventTypeNormal, EventTypeWarning}
	// alertKinds are the kinds whose events an Alert can select.
	alertKinds = []string{"*", "Deployment", "SlavePool", "Repo", "Pipeline", "Build", "Alert"}
)

// Bounds of an Alert's lists and of what its status remembers.
const (
	maxAlertSources = 64
	maxAlertReasons = 64
	// MaxAlertRecent bounds status.recent: past it the oldest entries
	// go, and a repeat of theirs may be sent again early.
	MaxAlertRecent = 1000
)

func validateAlert(s *AlertSpec, p *field.Path) field.ErrorList {
	errs := validateBackend(s.Receiver, p.Child("receiver"))
	if len(s.Sources) > maxAlertSources {
		errs = append(errs, field.TooMany(p.Child("sources"), len(s.Sources), maxAlertSources))
	}
	for i, src := range s.Sources {
		sp := p.Child("sources").Index(i)
		errs = append(errs, oneOf(src.Kind, alertKinds, sp.Child("kind"))...)
		if src.Name != "" {
			if len(src.Name) > 253 {
				errs = append(errs, field.TooLong(sp.Child("name"), "", 253))
			} else if _, err := path.Match(src.Name, ""); err != nil {
				errs = append(errs, field.Invalid(sp.Child("name"), src.Name, "not a glob (path.Match syntax, e.g. webapp-*)"))
			}
		}
		if src.Namespace != "" && src.Namespace != "*" {
			for _, msg := range validation.IsDNS1123Label(src.Namespace) {
				errs = append(errs, field.Invalid(sp.Child("namespace"), src.Namespace, "a namespace, or * for every one: "+msg))
			}
		}
	}
	errs = append(errs, oneOf(s.Severity, alertSeverities, p.Child("severity"))...)
	for _, l := range []struct {
		name    string
		reasons []string
	}{{"reasons", s.Reasons}, {"excludeReasons", s.ExcludeReasons}} {
		if len(l.reasons) > maxAlertReasons {
			errs = append(errs, field.TooMany(p.Child(l.name), len(l.reasons), maxAlertReasons))
		}
		for i, r := range l.reasons {
			if r == "" || len(r) > 128 {
				errs = append(errs, field.Invalid(p.Child(l.name).Index(i), r, "an event reason: 1 to 128 characters"))
			}
		}
	}
	if d := s.RepeatInterval; d != nil && (d.Duration < time.Second || d.Duration > 7*24*time.Hour) {
		errs = append(errs, field.Invalid(p.Child("repeatInterval"), d.Duration.String(), "must be between 1s and 168h"))
	}
	return errs
}

func validateAlertStatus(s *AlertStatus, p *field.Path) field.ErrorList {
	errs := nonNegative(p, []count{{"observedGeneration", s.ObservedGeneration}, {"sent", s.Sent},
		{"rejected", s.Rejected}, {"failedAttempts", int64(s.FailedAttempts)}})
	errs = append(errs, statusTexts(p, []text{{"eventRevision", s.EventRevision}})...)
	if len(s.Recent) > MaxAlertRecent {
		errs = append(errs, field.TooMany(p.Child("recent"), len(s.Recent), MaxAlertRecent))
	}
	for i, r := range s.Recent {
		if r.Key == "" || len(r.Key) > 64 {
			errs = append(errs, field.Invalid(p.Child("recent").Index(i).Child("key"), r.Key, "a digest of at most 64 characters"))
		}
	}
	return append(errs, metav1validation.ValidateConditions(s.Conditions, p.Child("conditions"))...)
}
