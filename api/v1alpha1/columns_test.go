package v1alpha1

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestTables: every kind has columns, and every column is well formed: a
// header, a description, a known type, a priority of 0 or 1 (default
// columns first), and cells of the Go type its Type and Format promise.
func TestTables(t *testing.T) {
	for kind := range columns {
		if _, err := KindFor(kind); err != nil {
			t.Errorf("columns for unknown kind %s", kind)
		}
	}
	for _, k := range Kinds() {
		cols := Columns(k.Kind)
		if len(cols) == 0 {
			t.Errorf("no table columns for %s", k.Kind)
			continue
		}
		seen := map[string]bool{}
		wide := false
		for _, c := range cols {
			where := k.Kind + " column " + c.Name
			switch {
			case c.Name == "" || seen[c.Name]:
				t.Errorf("%s: empty or repeated name", where)
			case c.Description == "" || c.Cell == nil:
				t.Errorf("%s: no description or no cell", where)
			case c.Priority != 0 && c.Priority != 1:
				t.Errorf("%s: priority %d, want 0 (default) or 1 (wide)", where, c.Priority)
			case c.Priority == 0 && wide:
				t.Errorf("%s: a default column after a wide one", where)
			}
			seen[c.Name], wide = true, wide || c.Priority == 1
		}
		cells := Row(k.New()) // a zero object: no field set, nothing may panic
		if len(cells) != len(cols) {
			t.Errorf("%s: %d cells for %d columns", k.Kind, len(cells), len(cols))
			continue
		}
		for i, c := range cols {
			if got, want := reflect.TypeOf(cells[i]), cellType(c); got != want {
				t.Errorf("%s column %s (type %s, format %q): cell of type %v, want %v", k.Kind, c.Name, c.Type, c.Format, got, want)
			}
		}
	}
}

func cellType(c Column) reflect.Type {
	switch {
	case c.Format == FormatDateTime:
		return reflect.TypeFor[metav1.Time]()
	case c.Type == TypeInteger:
		return reflect.TypeFor[int64]()
	case c.Type == TypeString:
		return reflect.TypeFor[string]()
	}
	return nil // no cell matches an unknown type
}

func TestRow(t *testing.T) {
	three, created := int32(3), metav1.NewTime(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	cases := []struct {
		reason string
		obj    Object
		want   []any
	}{
		{"a Deployment rolling out",
			&Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", CreationTimestamp: created},
				Spec: DeploymentSpec{Image: "nginx:1", Replicas: &three},
				Status: DeploymentStatus{ReadyReplicas: 2, UpdatedReplicas: 3, AvailableReplicas: 2,
					Endpoints: []Endpoint{{Host: "a1", Ports: []int32{31000, 31001}}, {Host: "a2", Ports: []int32{31000, 31001}}}}},
			[]any{"web", "2/3", int64(3), int64(2), "nginx:1", created, "-", "a1:31000,a1:31001,a2:31000 + 1 more..."}},
		{"a SlavePool before its first pass: DESIRED is spec.replicas",
			&SlavePool{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: SlavePoolSpec{Replicas: &three, Labels: []string{"amd64", "xenial"}}},
			[]any{"p", int64(3), int64(0), int64(0), int64(0), metav1.Time{}, int64(0), "-", "amd64,xenial"}},
		{"an Event repeated: LAST SEEN is lastTimestamp",
			&Event{ObjectMeta: metav1.ObjectMeta{Name: "e", CreationTimestamp: metav1.NewTime(created.Add(-time.Hour))}, LastTimestamp: created,
				Type: "Warning", Reason: "BackOff", InvolvedObject: ObjectReference{Kind: "Deployment", Name: "web"}, Count: 4},
			[]any{created, "Warning", "BackOff", "deployment/web", "", int64(4)}},
		{"a Pipeline with a running build",
			&Pipeline{ObjectMeta: metav1.ObjectMeta{Name: "pl"}, Spec: PipelineSpec{Job: "webapp"},
				Status: PipelineStatus{LastBuildNumber: 7, LastBuilds: []BuildRef{{Number: 6, Phase: "Succeeded"}, {Number: 7, Phase: "Running"}}}},
			[]any{"pl", "webapp", "7 (Running)", "Unknown", metav1.Time{}, ""}},
	}
	for _, c := range cases {
		if got := Row(c.obj); fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", c.want) {
			t.Errorf("%s: -want +got\n- %#v\n+ %#v", c.reason, c.want, got)
		}
	}
}

// TestColumnsAreShared: callers get copies they may change, and the
// definitions serve as a server-side Table's.
func TestColumnsAreShared(t *testing.T) {
	cols := Columns("Deployment")
	cols[0].Name = "CHANGED"
	if Columns("Deployment")[0].Name != "NAME" {
		t.Errorf("changing the result of Columns changed the definitions")
	}
	if Columns("Pod") != nil || Row(nil) != nil {
		t.Errorf("an unknown kind has columns or a row")
	}
	want := metav1.TableColumnDefinition{Name: "NAME", Type: "string", Format: "name", Description: "The object's name.", Priority: 0}
	if got := Columns("Repo")[0].Definition(); got != want {
		t.Errorf("Definition: -want +got\n- %+v\n+ %+v", want, got)
	}
	data, err := json.Marshal(Columns("Event"))
	if err != nil || !strings.Contains(string(data), `{"name":"LAST SEEN","type":"string","format":"date-time",`) {
		t.Errorf("columns as JSON: %s, %v", data, err)
	}
}

func TestKindForNames(t *testing.T) {
	for _, name := range []string{"Repo", "repos", "repo", "rp", "repo.minka.dev", "repos.minka.dev", "Repo.Minka.Dev"} {
		if k, err := KindFor(name); err != nil || k.Kind != "Repo" {
			t.Errorf("KindFor(%q) = %v, %v; want Repo", name, k.Kind, err)
		}
	}
	for _, name := range []string{"repo.apps", "minka.dev", ""} {
		if _, err := KindFor(name); err == nil {
			t.Errorf("KindFor(%q) found a kind", name)
		}
	}
}
