package managed

import (
	"os"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"minka/api/v1alpha1"
)

// validFiles are the API's valid example manifests, one or more per kind.
func validFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../v1alpha1/testdata/valid/*.yaml")
	if err != nil || len(files) < 6 {
		t.Fatalf("testdata: %v %v", files, err)
	}
	return files
}

// valid is one of them decoded and defaulted, as the store would create it.
func valid(t testing.TB, file string) v1alpha1.Object {
	t.Helper()
	y, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(y)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := v1alpha1.DecodeObject(j)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	v1alpha1.Default(obj)
	return obj
}

// byPipeline is the managedFields apimachinery's field manager gives for
// manager's write of next over live (nil: a create), without the
// shortcuts Update takes.
func byPipeline(t testing.TB, f *Fields, subresource string, live, next v1alpha1.Object, manager string) []metav1.ManagedFieldsEntry {
	t.Helper()
	fm, err := f.manager(next, subresource)
	if err != nil {
		t.Fatal(err)
	}
	liveU, err := toUnstructured(live, next)
	if err != nil {
		t.Fatal(err)
	}
	nextU, err := toUnstructured(next, next)
	if err != nil {
		t.Fatal(err)
	}
	return fm.UpdateNoErrors(liveU, nextU, manager).(*unstructured.Unstructured).GetManagedFields()
}
