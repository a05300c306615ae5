package apiserver

import (
	"mime"
	"net/http"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"

	"minka/api/v1alpha1"
)

// wantsTable says whether the request asks for a meta.k8s.io Table, as
// kubectl get does (Accept: application/json;as=Table;v=v1;g=meta.k8s.io,
// then v1beta1, then plain JSON): the first acceptable entry of Accept
// decides, and the version it names is the one answered.
func wantsTable(r *http.Request) (version string, ok bool) {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || (mt != "application/json" && mt != "*/*" && mt != "application/*") {
			continue
		}
		if params["as"] != "Table" {
			return "", false // plain JSON comes first
		}
		if params["g"] == "meta.k8s.io" && (params["v"] == "v1" || params["v"] == "v1beta1") {
			return params["v"], true
		}
	}
	return "", false
}

// table renders objects as kube-apiserver's Table: the kind's columns
// (v1alpha1.Columns, the same as `minka get`), each row's cells as
// kubectl prints them (times as ages, rendered here as the server does),
// and each row's object as includeObject says (PartialObjectMetadata by
// default, Object, or None).
func table(r *http.Request, version, kind string, objs []v1alpha1.Object, listMeta metav1.ListMeta) (*metav1.Table, error) {
	include := metav1.IncludeMetadata
	switch v := r.URL.Query().Get("includeObject"); v {
	case "", string(metav1.IncludeMetadata):
	case string(metav1.IncludeObject), string(metav1.IncludeNone):
		include = metav1.IncludeObjectPolicy(v)
	default:
		return nil, apierrors.NewBadRequest("includeObject: must be None, Object or PartialObjectMetadata, not " + v)
	}
	t := &metav1.Table{TypeMeta: metav1.TypeMeta{Kind: "Table", APIVersion: "meta.k8s.io/" + version}, ListMeta: listMeta}
	cols := v1alpha1.Columns(kind)
	for _, c := range cols {
		t.ColumnDefinitions = append(t.ColumnDefinitions, c.Definition())
	}
	now := time.Now()
	for _, o := range objs {
		row := metav1.TableRow{Cells: make([]any, len(cols))}
		for i, c := range cols {
			row.Cells[i] = tableCell(c.Cell(o), now)
		}
		switch include {
		case metav1.IncludeObject:
			v1alpha1.SetTypeMeta(o)
			row.Object = runtime.RawExtension{Object: o}
		case metav1.IncludeMetadata:
			m := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: "meta.k8s.io/" + version}}
			m.ObjectMeta = *objectMeta(o)
			row.Object = runtime.RawExtension{Object: m}
		}
		t.Rows = append(t.Rows, row)
	}
	if t.Rows == nil {
		t.Rows = []metav1.TableRow{}
	}
	return t, nil
}

// tableCell is a cell as the Table carries it: a time becomes its age, as
// kube-apiserver renders the Age of custom resources.
func tableCell(v any, now time.Time) any {
	if ts, ok := v.(metav1.Time); ok {
		if ts.IsZero() {
			return "<unknown>"
		}
		return duration.HumanDuration(now.Sub(ts.Time))
	}
	return v
}

func objectMeta(o v1alpha1.Object) *metav1.ObjectMeta {
	type metaOf interface{ GetObjectMeta() metav1.Object }
	m := o.(metaOf).GetObjectMeta().(*metav1.ObjectMeta)
	return m.DeepCopy()
}
