package oapi

import (
	"strings"

	"minka/api/v1alpha1"
)

// operation is one route and method, rendered into both documents.
type operation struct {
	path, method, action, id string
	kind                     string // the GVK's kind; "Scale" for scale, "DeploymentRollback" for rollback
	body, resp               string // definition names; "" for none
	list, write, patch       bool
	text                     bool // a text/plain answer (a Build's log)
}

const base = "/apis/" + v1alpha1.Group + "/" + v1alpha1.Version

// operations lists minka's routes as kube-apiserver names them, with its
// operation ids (listMinkaDevV1alpha1NamespacedSlavePool, ...).
func operations() []operation {
	var ops []operation
	for _, k := range v1alpha1.Kinds() {
		obj, list := defPrefix+k.Kind, defPrefix+k.ListKind
		ns := base + "/namespaces/{namespace}/" + k.Plural
		item := ns + "/{name}"
		id := func(verb, suffix string) string { return verb + "MinkaDevV1alpha1Namespaced" + k.Kind + suffix }
		ops = append(ops,
			operation{path: base + "/" + k.Plural, method: "get", action: "list", id: "listMinkaDevV1alpha1" + k.Kind + "ForAllNamespaces", kind: k.Kind, resp: list, list: true},
			operation{path: ns, method: "get", action: "list", id: id("list", ""), kind: k.Kind, resp: list, list: true},
			operation{path: ns, method: "post", action: "post", id: id("create", ""), kind: k.Kind, body: obj, resp: obj, write: true},
			operation{path: item, method: "get", action: "get", id: id("read", ""), kind: k.Kind, resp: obj},
			operation{path: item, method: "put", action: "put", id: id("replace", ""), kind: k.Kind, body: obj, resp: obj, write: true},
			operation{path: item, method: "patch", action: "patch", id: id("patch", ""), kind: k.Kind, body: patchName, resp: obj, write: true, patch: true},
			operation{path: item, method: "delete", action: "delete", id: id("delete", ""), kind: k.Kind, body: deleteOptionsName, resp: statusName, write: true},
		)
		if k.Status {
			st := item + "/status"
			ops = append(ops,
				operation{path: st, method: "get", action: "get", id: id("read", "Status"), kind: k.Kind, resp: obj},
				operation{path: st, method: "put", action: "put", id: id("replace", "Status"), kind: k.Kind, body: obj, resp: obj, write: true},
				operation{path: st, method: "patch", action: "patch", id: id("patch", "Status"), kind: k.Kind, body: patchName, resp: obj, write: true, patch: true},
			)
		}
		if k.Scale {
			sc := item + "/scale"
			ops = append(ops,
				operation{path: sc, method: "get", action: "get", id: id("read", "Scale"), kind: "Scale", resp: scaleName},
				operation{path: sc, method: "put", action: "put", id: id("replace", "Scale"), kind: "Scale", body: scaleName, resp: scaleName, write: true},
				operation{path: sc, method: "patch", action: "patch", id: id("patch", "Scale"), kind: "Scale", body: patchName, resp: scaleName, write: true, patch: true},
			)
		}
		if k.Rollback {
			ops = append(ops, operation{path: item + "/rollback", method: "post", action: "post", id: id("create", "Rollback"),
				kind: v1alpha1.DeploymentRollbackKind, body: defPrefix + v1alpha1.DeploymentRollbackKind, resp: obj, write: true})
		}
		if k.Kind == "Build" {
			ops = append(ops, operation{path: item + "/log", method: "get", action: "get", id: id("read", "Log"), kind: k.Kind, text: true})
		}
	}
	return ops
}

const (
	defPrefix         = "dev.minka.v1alpha1."
	statusName        = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
	deleteOptionsName = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
)

// gvk is the operation's x-kubernetes-group-version-kind.
func (o operation) gvk() map[string]any {
	if o.kind == "Scale" {
		return map[string]any{"group": "autoscaling", "version": "v1", "kind": "Scale"}
	}
	return map[string]any{"group": v1alpha1.Group, "version": v1alpha1.Version, "kind": o.kind}
}

// param is a parameter in both documents' shared part.
type param struct{ name, in, typ, desc string }

// parameters are the operation's, with kube-apiserver's descriptions.
func (o operation) parameters() []param {
	var ps []param
	if strings.Contains(o.path, "{namespace}") {
		ps = append(ps, param{"namespace", "path", "string", "object name and auth scope, such as for teams and projects"})
	}
	if strings.Contains(o.path, "{name}") {
		ps = append(ps, param{"name", "path", "string", "name of the " + o.kind})
	}
	if o.list {
		ps = append(ps,
			param{"labelSelector", "query", "string", "A selector to restrict the list of returned objects by their labels. Defaults to everything."},
			param{"fieldSelector", "query", "string", "A selector to restrict the list of returned objects by their fields. Defaults to everything."},
			param{"limit", "query", "integer", "limit is a maximum number of responses to return for a list call; continue fetches the rest."},
			param{"continue", "query", "string", "The continue option should be set when retrieving more results from the server."},
			param{"resourceVersion", "query", "string", "resourceVersion sets a constraint on what resource versions a request may be served from."},
			param{"watch", "query", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."},
			param{"timeoutSeconds", "query", "integer", "Timeout for the list/watch call."},
			param{"allowWatchBookmarks", "query", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."},
		)
	}
	if o.write {
		ps = append(ps, param{"dryRun", "query", "string", "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed"})
	}
	if o.write && o.method != "delete" {
		ps = append(ps,
			param{"fieldManager", "query", "string", "fieldManager is a name associated with the actor or entity that is making these changes. Required for apply requests (application/apply-patch); optional otherwise."},
			param{"fieldValidation", "query", "string", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: - Ignore: drop them silently. - Warn: drop them with a Warning header each. - Strict: fail the request with a BadRequest naming them. minka's default is Strict."},
		)
	}
	if o.patch {
		ps = append(ps, param{"force", "query", "boolean", "Force is going to \"force\" Apply requests: re-acquire conflicting fields owned by other people. Must be unset for non-apply patch requests."})
	}
	return ps
}

// patchTypes are the PATCH bodies served; no strategic merge patch, as
// kube-apiserver serves none for a custom resource, so kubectl's
// client-side apply sends a JSON merge patch.
var patchTypes = []string{"application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"}
