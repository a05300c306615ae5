package marathon

import (
	"net/http"
	"net/url"
)

// The Marathon 1.4.13 REST routes, as its JAX-RS resources declare them
// (src/main/scala/mesosphere/marathon/api/v2/*Resource.scala,
// api/SystemResource.scala), each resource's rules in Jersey's order.
// Templates "{id:.+}" are "/(.+)", "{version}" is "/([^/]+?)".

func get(consumes string, produces []mediaType, h func(*exchange)) method {
	return method{verb: http.MethodGet, consumes: consumes, produces: produces, serve: h}
}

func verb(v, consumes string, produces []mediaType, h func(*exchange)) method {
	return method{verb: v, consumes: consumes, produces: produces, serve: h}
}

// marathonAPI is the root: one locator per root resource; SystemResource
// (@Path("")) matches every path, so it comes last.
func (c *Cluster) marathonAPI() resource {
	j, pj := jsonType, preferredJSON
	return resource{
		// EventSubscriptionsResource: Marathon without --event_subscriber
		// (what /v2/info reports) answers every call 400.
		locator(`/v2/eventSubscriptions`, resource{methods("",
			verb(http.MethodGet, j, pj, noCallbacks), verb(http.MethodPost, j, pj, noCallbacks),
			verb(http.MethodDelete, j, pj, noCallbacks))}),
		locator(`/v2/deployments`, resource{
			methods(`/([^/]+?)`, verb(http.MethodDelete, j, pj, (*exchange).cancelDeployment)),
			methods("", get(j, pj, (*exchange).deployments)),
		}),
		locator(`/v2/schemas`, resource{methods(`/app`, get(j, pj, (*exchange).appSchema))}),
		locator(`/v2/leader`, resource{methods("",
			get("", pj, (*exchange).leader), verb(http.MethodDelete, "", pj, (*exchange).abdicate))}),
		locator(`/v2/groups`, resource{
			methods(`/(.+)`, get("", pj, (*exchange).group)),
			methods("", get("", pj, (*exchange).group)),
		}),
		locator(`/v2/queue`, resource{
			methods(`/(.+)/delay`, verb(http.MethodDelete, j, nil, (*exchange).resetDelay)),
			methods("", get(j, pj, (*exchange).queue)),
		}),
		locator(`/v2/tasks`, resource{
			methods(`/delete`, verb(http.MethodPost, j, pj, (*exchange).killTasksByID)),
			methods("", get("", pj, (*exchange).tasks), get("", textPlain, (*exchange).tasksText)),
		}),
		locator(`/v2/apps`, c.appsResource()),
		locator(`/v2/info`, resource{methods("", get(j, pj, (*exchange).info))}),
		locator(`/v2/pods`, podsResource()),
		locator(``, resource{
			methods(`/metrics`, get(j, pj, (*exchange).metrics)),
			methods(`/ping`, get("", nil, (*exchange).ping)),
		}),
	}
}

// appsResource is AppsResource with its locators AppVersionsResource and
// AppTasksResource (all @Consumes(application/json)).
func (c *Cluster) appsResource() resource {
	j, pj := jsonType, preferredJSON
	return resource{
		locator(`/(.+)/versions`, resource{
			methods(`/([^/]+?)`, get(j, pj, (*exchange).appVersion)),
			methods("", get(j, pj, (*exchange).appVersions)),
		}),
		methods(`/(.+)/restart`, verb(http.MethodPost, j, pj, (*exchange).restartApp)),
		locator(`/(.+)/tasks`, resource{
			methods(`/([^/]+?)`, verb(http.MethodDelete, j, pj, (*exchange).killTask)),
			methods("", get(j, pj, (*exchange).appTasks), get(j, textPlain, (*exchange).appTasksText),
				verb(http.MethodDelete, j, pj, (*exchange).killAppTasks)),
		}),
		methods(`/(.+)`, get(j, pj, (*exchange).showApp), verb(http.MethodPut, j, pj, (*exchange).putApp),
			verb(http.MethodPatch, j, pj, (*exchange).patchApp), verb(http.MethodDelete, j, pj, (*exchange).deleteApp)),
		// Not simulated: PUT and PATCH /v2/apps (one deployment for many
		// apps); they answer 405.
		methods("", get(j, pj, (*exchange).listApps), verb(http.MethodPost, j, pj, (*exchange).createApp)),
	}
}

// podsResource is PodsResource's read side: the simulator runs no pods,
// so every pod id is unknown and the lists are empty.
func podsResource() resource {
	j, pj := jsonType, preferredJSON
	return resource{
		methods(`/(.+)::versions/([^/]+?)`, get(j, pj, (*exchange).unknownPod)),
		methods(`/(.+)::versions`, get(j, pj, (*exchange).unknownPod)),
		methods(`/(.+)::status`, get(j, pj, (*exchange).unknownPod)),
		methods(`/::status`, get(j, pj, emptyList)),
		methods(`/(.+)`, get(j, pj, (*exchange).podNotFound), verb(http.MethodDelete, j, pj, (*exchange).unknownPod)),
		methods("", get(j, pj, emptyList), verb(http.MethodHead, j, pj, func(x *exchange) { x.w.WriteHeader(http.StatusOK) })),
	}
}

// param is the i-th template value, decoded as @PathParam decodes it.
func (x *exchange) param(i int) string {
	s, err := url.PathUnescape(x.params[i])
	if err != nil {
		return x.params[i]
	}
	return s
}

// serveAPI routes one request through the resources; an unmatched path
// is Jersey's NotFoundException: 404 "URI not found: <raw path>".
func (c *Cluster) serveAPI(w http.ResponseWriter, r *http.Request) {
	x := &exchange{c: c, w: w, r: r}
	if !c.api.accept(x, r.URL.EscapedPath(), &refusal{}) {
		mapped(w, http.StatusNotFound, "URI not found: "+r.URL.EscapedPath())
	}
}
