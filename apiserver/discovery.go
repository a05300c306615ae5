package apiserver

import (
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilversion "k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apimachinery/pkg/version"

	"minka/api/v1alpha1"
)

// Discovery documents in kube-apiserver's shapes, so that generic tools
// can find minka's resources and verbs.

var groupVersion = metav1.GroupVersionForDiscovery{GroupVersion: v1alpha1.APIVersion, Version: v1alpha1.Version}

func (s *Server) apiGroups(w http.ResponseWriter, r *http.Request) {
	if wantsAggregated(r) {
		writeAggregated(w, minkaDiscovery())
		return
	}
	writeJSON(w, http.StatusOK, &metav1.APIGroupList{
		TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"},
		Groups:   []metav1.APIGroup{apiGroup()},
	})
}

func (s *Server) apiGroup(w http.ResponseWriter, _ *http.Request) {
	g := apiGroup()
	g.TypeMeta = metav1.TypeMeta{Kind: "APIGroup", APIVersion: "v1"}
	writeJSON(w, http.StatusOK, &g)
}

func apiGroup() metav1.APIGroup {
	return metav1.APIGroup{Name: v1alpha1.Group, Versions: []metav1.GroupVersionForDiscovery{groupVersion}, PreferredVersion: groupVersion}
}

func (s *Server) apiResources(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, &metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
		GroupVersion: v1alpha1.APIVersion, APIResources: minkaResources()})
}

// minkaResources are minka.dev/v1alpha1's resources and subresources.
func minkaResources() []metav1.APIResource {
	var out []metav1.APIResource
	for _, k := range v1alpha1.Kinds() {
		var categories []string
		if k.Kind != "Event" {
			categories = []string{"all"} // kubectl get all
		}
		out = append(out, metav1.APIResource{
			Name: k.Plural, SingularName: k.Singular, Namespaced: k.Namespaced, Kind: k.Kind, ShortNames: k.ShortNames,
			Verbs: metav1.Verbs{"create", "delete", "get", "list", "patch", "update", "watch"}, Categories: categories,
		})
		if k.Kind == "Build" {
			out = append(out, metav1.APIResource{
				Name: k.Plural + "/log", Namespaced: k.Namespaced, Kind: k.Kind, Verbs: metav1.Verbs{"get"},
			})
		}
		if k.Status {
			out = append(out, metav1.APIResource{
				Name: k.Plural + "/status", Namespaced: k.Namespaced, Kind: k.Kind, Verbs: metav1.Verbs{"get", "patch", "update"},
			})
		}
		if k.Scale {
			out = append(out, metav1.APIResource{
				Name: k.Plural + "/scale", Namespaced: k.Namespaced, Group: "autoscaling", Version: "v1", Kind: "Scale",
				Verbs: metav1.Verbs{"get", "patch", "update"},
			})
		}
		if k.Rollback {
			// As extensions/v1beta1 listed it: the kind is the body's.
			out = append(out, metav1.APIResource{
				Name: k.Plural + "/rollback", Namespaced: k.Namespaced, Kind: v1alpha1.DeploymentRollbackKind, Verbs: metav1.Verbs{"create"},
			})
		}
	}
	return out
}

// versionInfo is /version as kube-apiserver answers it: major and minor
// from the semver gitVersion (kubectl version parses it), the commit, tree
// state and build time from the binary's vcs stamp.
func (s *Server) versionInfo(w http.ResponseWriter, _ *http.Request) {
	info := &version.Info{GitVersion: s.version, GoVersion: runtime.Version(), Compiler: runtime.Compiler,
		Platform: runtime.GOOS + "/" + runtime.GOARCH, GitTreeState: "clean"}
	if sv, err := utilversion.ParseSemantic(strings.TrimPrefix(s.version, "v")); err == nil {
		info.Major, info.Minor = strconv.FormatUint(uint64(sv.Major()), 10), strconv.FormatUint(uint64(sv.Minor()), 10)
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, st := range bi.Settings {
			switch st.Key {
			case "vcs.revision":
				info.GitCommit = st.Value
			case "vcs.modified":
				if st.Value == "true" {
					info.GitTreeState = "dirty"
				}
			case "vcs.time":
				info.BuildDate = st.Value
			}
		}
	}
	writeJSON(w, http.StatusOK, info)
}
