package alert

import (
	"net/http"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

func TestSelects(t *testing.T) {
	ev := func(kind, ns, name, typ, reason string) *v1alpha1.Event {
		return &v1alpha1.Event{InvolvedObject: v1alpha1.ObjectReference{Kind: kind, Namespace: ns, Name: name}, Type: typ, Reason: reason}
	}
	alert := func(spec v1alpha1.AlertSpec) *v1alpha1.Alert {
		a := &v1alpha1.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "a"}, Spec: spec}
		v1alpha1.Default(a)
		return a
	}
	builds := []v1alpha1.AlertSource{{Kind: "Build", Name: "webapp-*"}}
	tests := []struct {
		name  string
		spec  v1alpha1.AlertSpec
		event *v1alpha1.Event
		want  bool
	}{
		{"no sources: the namespace", v1alpha1.AlertSpec{}, ev("Repo", "ci", "r", "Normal", "Ready"), true},
		{"no sources: not another namespace", v1alpha1.AlertSpec{}, ev("Repo", "prod", "r", "Normal", "Ready"), false},
		{"kind and name glob", v1alpha1.AlertSpec{Sources: builds}, ev("Build", "ci", "webapp-3", "Normal", "Started"), true},
		{"another name", v1alpha1.AlertSpec{Sources: builds}, ev("Build", "ci", "other-3", "Normal", "Started"), false},
		{"another kind", v1alpha1.AlertSpec{Sources: builds}, ev("Deployment", "ci", "webapp-3", "Normal", "Started"), false},
		{"every namespace", v1alpha1.AlertSpec{Sources: []v1alpha1.AlertSource{{Kind: "*", Namespace: "*"}}}, ev("SlavePool", "prod", "p", "Warning", "QuotaExceeded"), true},
		{"a named namespace", v1alpha1.AlertSpec{Sources: []v1alpha1.AlertSource{{Kind: "SlavePool", Namespace: "prod"}}}, ev("SlavePool", "ci", "p", "Warning", "QuotaExceeded"), false},
		{"Warning only: a Normal event", v1alpha1.AlertSpec{Severity: "Warning"}, ev("Repo", "ci", "r", "Normal", "Ready"), false},
		{"Warning only: a Warning event", v1alpha1.AlertSpec{Severity: "Warning"}, ev("Repo", "ci", "r", "Warning", "Failed"), true},
		{"reasons listed", v1alpha1.AlertSpec{Reasons: []string{"Finished"}}, ev("Build", "ci", "b", "Normal", "Started"), false},
		{"reasons excluded", v1alpha1.AlertSpec{ExcludeReasons: []string{"Started"}}, ev("Build", "ci", "b", "Normal", "Started"), false},
		{"never its own events", v1alpha1.AlertSpec{}, ev("Alert", "ci", "a", "Warning", "DeliveryFailing"), false},
		{"another Alert's events", v1alpha1.AlertSpec{}, ev("Alert", "ci", "b", "Warning", "DeliveryFailing"), true},
	}
	for _, tt := range tests {
		if got := selects(alert(tt.spec), tt.event); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRecentWindow(t *testing.T) {
	a := &v1alpha1.Alert{Spec: v1alpha1.AlertSpec{RepeatInterval: &v1alpha1.Duration{Duration: time.Minute}}}
	r, now := recentOf(a), time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	r.sent("k", now)
	if !r.repeat("k", now.Add(59*time.Second)) || r.repeat("k", now.Add(time.Minute)) || r.repeat("other", now) {
		t.Error("a repeat is one within the window, of the same key")
	}
	r.prune(now.Add(time.Minute))
	if len(a.Status.Recent) != 0 {
		t.Errorf("pruned past the window: %v", a.Status.Recent)
	}
	for i := 0; i < v1alpha1.MaxAlertRecent+5; i++ {
		r.sent(string(rune('a'+i%26))+time.Duration(i).String(), now)
	}
	if len(a.Status.Recent) != v1alpha1.MaxAlertRecent {
		t.Errorf("%d remembered, want the bound %d", len(a.Status.Recent), v1alpha1.MaxAlertRecent)
	}
}

func TestRetryAfterAndBackoff(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{"": 0, "3": 3 * time.Second, "soon": 0, "-1": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", v, got, want)
		}
	}
	for n, want := range map[int32]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 9: 256 * time.Second, 10: 5 * time.Minute, 40: 5 * time.Minute} {
		if got := backoff(n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
	r := &receiver{}
	for code, retry := range map[int]bool{500: true, 503: true, 429: true, 408: true, 400: false, 403: false, 404: false, 410: false} {
		if err := r.failed(code, http.StatusText(code), 0).(*deliveryError); err.retry != retry {
			t.Errorf("%d: retry %v, want %v", code, err.retry, retry)
		}
	}
}
