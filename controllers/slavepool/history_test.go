package slavepool

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

func TestAppendScaleSample(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(ago time.Duration, queued, desired, ready int32) v1alpha1.ScaleSample {
		return v1alpha1.ScaleSample{Time: metav1.NewTime(now.Add(-ago)), Queued: queued, Desired: desired, Ready: ready}
	}
	// full is MaxScaleSamples changes within the window, the oldest first.
	var full []v1alpha1.ScaleSample
	for i := range v1alpha1.MaxScaleSamples {
		full = append(full, at(time.Duration(v1alpha1.MaxScaleSamples-i)*20*time.Second, 0, int32(i%2), 0))
	}
	cases := []struct {
		reason string
		hist   []v1alpha1.ScaleSample
		s      v1alpha1.ScaleSample
		want   []v1alpha1.ScaleSample
	}{
		{"the first sample", nil, at(0, 3, 2, 0), []v1alpha1.ScaleSample{at(0, 3, 2, 0)}},
		{"unchanged numbers add nothing", []v1alpha1.ScaleSample{at(time.Minute, 3, 2, 0)}, at(0, 3, 2, 0),
			[]v1alpha1.ScaleSample{at(time.Minute, 3, 2, 0)}},
		{"a change in ready alone is added", []v1alpha1.ScaleSample{at(time.Minute, 3, 2, 0)}, at(0, 3, 2, 1),
			[]v1alpha1.ScaleSample{at(time.Minute, 3, 2, 0), at(0, 3, 2, 1)}},
		{"samples before the window go but the one at its left edge", []v1alpha1.ScaleSample{
			at(3*time.Hour, 0, 0, 0), at(2*time.Hour, 1, 1, 0), at(90*time.Minute, 1, 1, 1), at(30*time.Minute, 0, 1, 1),
		}, at(0, 0, 0, 1), []v1alpha1.ScaleSample{at(90*time.Minute, 1, 1, 1), at(30*time.Minute, 0, 1, 1), at(0, 0, 0, 1)}},
		{"a sample exactly at the edge is the edge", []v1alpha1.ScaleSample{
			at(2*time.Hour, 0, 0, 0), at(time.Hour, 1, 1, 0), at(10*time.Minute, 1, 1, 1),
		}, at(0, 0, 0, 1), []v1alpha1.ScaleSample{at(time.Hour, 1, 1, 0), at(10*time.Minute, 1, 1, 1), at(0, 0, 0, 1)}},
		{"an unchanged pass prunes nothing either", []v1alpha1.ScaleSample{at(3*time.Hour, 0, 0, 0), at(2*time.Hour, 1, 1, 0)},
			at(0, 1, 1, 0), []v1alpha1.ScaleSample{at(3*time.Hour, 0, 0, 0), at(2*time.Hour, 1, 1, 0)}},
		{"at MaxScaleSamples the oldest goes", full, at(0, 5, 5, 5), append(slices.Clone(full[1:]), at(0, 5, 5, 5))},
	}
	for _, c := range cases {
		in := slices.Clone(c.hist)
		got := appendScaleSample(c.hist, c.s, now)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got  %s\n want %s", c.reason, samples(got, now), samples(c.want, now))
		}
		if !reflect.DeepEqual(c.hist, in) {
			t.Errorf("%s: the input was changed: %s", c.reason, samples(c.hist, now))
		}
		if len(got) > v1alpha1.MaxScaleSamples {
			t.Errorf("%s: %d samples", c.reason, len(got))
		}
	}
}

func samples(h []v1alpha1.ScaleSample, now time.Time) string {
	var out []string
	for _, s := range h {
		out = append(out, fmt.Sprintf("-%v:%d/%d/%d", now.Sub(s.Time.Time), s.Queued, s.Desired, s.Ready))
	}
	return fmt.Sprint(out)
}
