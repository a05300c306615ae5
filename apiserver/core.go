package apiserver

import (
	"net/http"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/store"
)

// The core group's read side that kubectl relies on for minka's objects:
// kubectl describe and kubectl events read /api/v1 events by
// involvedObject, and tools list namespaces. Events are minka's own,
// answered in core v1's shape (the fields are the same); namespaces are
// those objects live in, all Active.

// coreEvent is a minka Event as a core v1 Event.
type coreEvent struct {
	v1alpha1.Event `json:",inline"`
	// Core v1 Events name these too: minka's recorder is the reporter.
	ReportingComponent string `json:"reportingComponent,omitempty"`
	ReportingInstance  string `json:"reportingInstance,omitempty"`
}

type coreEventList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []coreEvent `json:"items"`
}

func toCore(e *v1alpha1.Event) coreEvent {
	out := coreEvent{Event: *e.DeepCopy(), ReportingComponent: e.Source.Component, ReportingInstance: e.Source.Host}
	out.TypeMeta = metav1.TypeMeta{Kind: "Event", APIVersion: "v1"}
	return out
}

// mountCore serves /api, /api/v1 and its events and namespaces, behind
// the token chain as reads of the core group.
func (s *Server) mountCore() {
	s.mux.HandleFunc("GET /api", func(w http.ResponseWriter, r *http.Request) {
		if wantsAggregated(r) {
			writeAggregated(w, discoveryGroup("", "v1", coreResources()))
			return
		}
		writeJSON(w, http.StatusOK, &metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"},
			ServerAddressByClientCIDRs: []metav1.ServerAddressByClientCIDR{{ClientCIDR: "0.0.0.0/0", ServerAddress: r.Host}}})
	})
	s.mux.HandleFunc("GET /api/v1", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, &metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: "v1",
			APIResources: coreResources()})
	})
	read := func(resource string, h http.HandlerFunc) http.Handler {
		p := s.Protected(s.withStoreDeadline(h))
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a := RequestAttributes(r)
			a.Verb, a.Resource, a.Namespace, a.Name = "list", resource, r.PathValue("namespace"), r.PathValue("name")
			if a.Name != "" {
				a.Verb = "get"
			}
			p.ServeHTTP(w, r.WithContext(WithAttributes(r.Context(), a)))
		})
	}
	s.mux.Handle("GET /api/v1/events", read("events", s.coreEvents))
	s.mux.Handle("GET /api/v1/namespaces/{namespace}/events", read("events", s.coreEvents))
	s.mux.Handle("GET /api/v1/namespaces/{namespace}/events/{name}", read("events", s.coreEvent))
	s.mux.Handle("GET /api/v1/namespaces", read("namespaces", s.namespaces))
	s.mux.Handle("GET /api/v1/namespaces/{name}", read("namespaces", s.namespaces))
}

// coreResources are the core v1 resources served (read-only).
func coreResources() []metav1.APIResource {
	return []metav1.APIResource{
		{Name: "events", SingularName: "event", Namespaced: true, Kind: "Event", Verbs: metav1.Verbs{"get", "list"}, ShortNames: []string{"ev"}},
		{Name: "namespaces", SingularName: "namespace", Kind: "Namespace", Verbs: metav1.Verbs{"get", "list"}, ShortNames: []string{"ns"}},
	}
}

var eventKind = func() v1alpha1.Kind { k, _ := v1alpha1.KindOf(&v1alpha1.Event{}); return k }()

func (s *Server) coreEvents(w http.ResponseWriter, r *http.Request) {
	info := &requestInfo{Verb: "list", Kind: eventKind, Namespace: r.PathValue("namespace")}
	opts, err := listOptions(r)
	if err != nil {
		s.writeError(w, r, info, err)
		return
	}
	list, err := s.store.List(r.Context(), eventKind, info.Namespace, opts)
	if err != nil {
		s.writeError(w, r, info, err)
		return
	}
	out := &coreEventList{TypeMeta: metav1.TypeMeta{Kind: "EventList", APIVersion: "v1"}, Items: []coreEvent{}}
	if li, ok := list.(metav1.ListInterface); ok {
		out.ResourceVersion = li.GetResourceVersion()
	}
	for _, o := range list.GetItems() {
		out.Items = append(out.Items, toCore(o.(*v1alpha1.Event)))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) coreEvent(w http.ResponseWriter, r *http.Request) {
	info := &requestInfo{Verb: "get", Kind: eventKind, Namespace: r.PathValue("namespace"), Name: r.PathValue("name")}
	o, err := s.store.Get(r.Context(), eventKind, info.Namespace, info.Name)
	if err != nil {
		s.writeError(w, r, info, err)
		return
	}
	ev := toCore(o.(*v1alpha1.Event))
	writeJSON(w, http.StatusOK, &ev)
}

// namespaces lists the namespaces objects live in (and default), or
// answers one of them; a namespace nothing lives in is NotFound.
func (s *Server) namespaces(w http.ResponseWriter, r *http.Request) {
	seen := map[string]bool{"default": true}
	for _, k := range v1alpha1.Kinds() {
		if !k.Namespaced || k.Kind == "Event" {
			continue
		}
		list, err := s.store.List(r.Context(), k, "", store.ListOptions{})
		if err != nil {
			s.writeError(w, r, &requestInfo{Verb: "list", Kind: k}, err)
			return
		}
		for _, o := range list.GetItems() {
			seen[o.GetNamespace()] = true
		}
	}
	ns := func(name string) map[string]any {
		return map[string]any{"kind": "Namespace", "apiVersion": "v1", "metadata": map[string]any{"name": name},
			"spec": map[string]any{"finalizers": []string{"kubernetes"}}, "status": map[string]any{"phase": "Active"}}
	}
	if name := r.PathValue("name"); name != "" {
		if !seen[name] {
			writeJSON(w, http.StatusNotFound, &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
				Message: `namespaces "` + name + `" not found`, Reason: metav1.StatusReasonNotFound,
				Details: &metav1.StatusDetails{Name: name, Kind: "namespaces"}, Code: http.StatusNotFound})
			return
		}
		writeJSON(w, http.StatusOK, ns(name))
		return
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	items := []map[string]any{}
	for _, n := range names {
		items = append(items, ns(n))
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": "NamespaceList", "apiVersion": "v1", "metadata": map[string]any{}, "items": items})
}
