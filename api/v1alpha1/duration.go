package v1alpha1

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
)

// Two Durations of one span are semantically equal whatever their text
// ("15m", "900s"): rewriting one as the other is no spec change for the
// controllers to act on. (equality.Semantic refuses unexported fields
// without this.)
func init() {
	if err := equality.Semantic.AddFunc(func(a, b Duration) bool { return a.Duration == b.Duration }); err != nil {
		panic(err)
	}
}

// Duration is a span of time as Go parses it ("90s", "15m", "1h30m"). It
// keeps the text it was written in: client-side kubectl apply compares the
// live object with the manifest, and a server that answered "15m0s" for
// "15m" would have every re-apply send a change. A Duration set in code
// (a default) is written in its shortest form, "10m" rather than "10m0s".
// +kubebuilder:object:generate=false
type Duration struct {
	time.Duration
	text string
}

// NewDuration is d in its shortest form.
func NewDuration(d time.Duration) *Duration { return &Duration{Duration: d} }

// String is the text the Duration was written in, while it still says the
// same span, and the shortest form otherwise.
func (d Duration) String() string {
	if d.text != "" {
		if v, err := time.ParseDuration(d.text); err == nil && v == d.Duration {
			return d.text
		}
	}
	return shortDuration(d.Duration)
}

// shortDuration drops time.Duration.String's trailing zero units:
// 1h0m0s → 1h, 10m0s → 10m, 1h30m0s → 1h30m; 2h0m5s stays.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// MarshalJSON writes the Duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string and remembers its text.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration must be a string such as 90s or 10m: %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration, d.text = v, s
	return nil
}

// ToUnstructured gives apimachinery's unstructured converter the string
// form; without it the converter would see an int64 and a struct.
func (d Duration) ToUnstructured() any { return d.String() }

// DeepCopyInto copies d into out (the text too: it is part of the value).
func (d *Duration) DeepCopyInto(out *Duration) { *out = *d }

// DeepCopy returns a copy of d.
func (d *Duration) DeepCopy() *Duration {
	if d == nil {
		return nil
	}
	out := new(Duration)
	d.DeepCopyInto(out)
	return out
}
