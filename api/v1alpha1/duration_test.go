package v1alpha1

import (
	"encoding/json"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
)

func TestDurationKeepsItsText(t *testing.T) {
	cases := []struct {
		in, out string
		want    time.Duration
	}{
		{`"15m"`, `"15m"`, 15 * time.Minute},
		{`"900s"`, `"900s"`, 15 * time.Minute},
		{`"1h30m"`, `"1h30m"`, 90 * time.Minute},
		{`"15m0s"`, `"15m0s"`, 15 * time.Minute},
		{`"1.5h"`, `"1.5h"`, 90 * time.Minute},
	}
	for _, c := range cases {
		var d Duration
		if err := json.Unmarshal([]byte(c.in), &d); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if d.Duration != c.want {
			t.Errorf("%s: parsed %v, want %v", c.in, d.Duration, c.want)
		}
		b, _ := json.Marshal(d)
		if string(b) != c.out {
			t.Errorf("%s: marshalled %s, want %s", c.in, b, c.out)
		}
		if cp := d.DeepCopy(); cp.String() != d.String() {
			t.Errorf("%s: copy says %s", c.in, cp)
		}
	}
}

func TestDurationShortestForm(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Minute, "10m"},
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{2*time.Hour + 5*time.Second, "2h0m5s"},
		{90 * time.Second, "1m30s"},
		{500 * time.Millisecond, "500ms"},
		{0, "0s"},
	}
	for _, c := range cases {
		if got := NewDuration(c.d).String(); got != c.want {
			t.Errorf("%v: got %s, want %s", c.d, got, c.want)
		}
	}
	// A changed value drops the old text.
	var d Duration
	_ = json.Unmarshal([]byte(`"15m"`), &d)
	d.Duration = time.Hour
	if d.String() != "1h" {
		t.Errorf("changed duration says %s, want 1h", d)
	}
}

func TestDurationRefusesNonStrings(t *testing.T) {
	for _, in := range []string{`900`, `"fifteen"`, `{}`} {
		var d Duration
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

func TestDurationSemanticEquality(t *testing.T) {
	var a, b Duration
	_ = json.Unmarshal([]byte(`"15m"`), &a)
	_ = json.Unmarshal([]byte(`"900s"`), &b)
	if !equality.Semantic.DeepEqual(SlavePoolSpec{IdleTimeout: &a}, SlavePoolSpec{IdleTimeout: &b}) {
		t.Error("15m and 900s differ semantically")
	}
	if equality.Semantic.DeepEqual(SlavePoolSpec{IdleTimeout: &a}, SlavePoolSpec{IdleTimeout: NewDuration(time.Minute)}) {
		t.Error("15m and 1m are semantically equal")
	}
}
