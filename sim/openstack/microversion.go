package openstack

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// apiVersion is a microversion X.Y; the zero value is "none".
type apiVersion struct{ major, minor int }

func (v apiVersion) String() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

func (v apiVersion) less(o apiVersion) bool {
	return v.major < o.major || (v.major == o.major && v.minor < o.minor)
}

// atLeast is nova's api_version_request.is_supported (legacy v2 requests
// are never at a microversion; the caller passes the 2.1 they run at).
func (v apiVersion) atLeast(o apiVersion) bool { return !v.less(o) }

// within is APIVersionRequest.matches with both bounds set.
func (v apiVersion) within(lo, hi apiVersion) bool { return !v.less(lo) && !hi.less(v) }

// versionRe is nova's and cinder's APIVersionRequest format check.
var versionRe = regexp.MustCompile(`^([1-9]\d*)\.([1-9]\d*|0)$`)

func parseVersion(s string) (apiVersion, bool) {
	m := versionRe.FindStringSubmatch(s)
	if m == nil {
		return apiVersion{}, false
	}
	major, err1 := strconv.Atoi(m[1])
	minor, err2 := strconv.Atoi(m[2])
	return apiVersion{major, minor}, err1 == nil && err2 == nil
}

func mustVersion(s string) apiVersion {
	v, ok := parseVersion(s)
	if !ok {
		panic("openstack: bad version " + s)
	}
	return v
}

// Nova's bounds (nova/api/openstack/api_version_request.py).
var (
	novaMinVersion    = mustVersion("2.1")
	novaMaxVersion    = mustVersion("2.104")
	novaMaxProxy      = mustVersion("2.35") // MAX_PROXY_API_SUPPORT_VERSION
	novaMaxImageMeta  = mustVersion("2.38") // MAX_IMAGE_META_PROXY_API_VERSION
	cinderMinVersion  = mustVersion("3.0")
	cinderMaxVersion  = mustVersion("3.71")
	novaVersionHeader = "OpenStack-API-Version"
	novaLegacyHeader  = "X-OpenStack-Nova-API-Version"
)

// headerValue is the request's header folded as WSGI folds repeats: joined by ",".
func headerValue(r *http.Request, name string) (string, bool) {
	vals := r.Header.Values(name)
	if len(vals) == 0 {
		return "", false
	}
	return strings.Join(vals, ","), true
}

// requestedNovaVersion is microversion_parse.get_version(headers,
// service_type="compute", legacy_headers=[X-OpenStack-Nova-API-Version]):
// the last "compute X" of OpenStack-API-Version, else the last value of
// the legacy header, else "".
func requestedNovaVersion(r *http.Request) string {
	if h, ok := headerValue(r, novaVersionHeader); ok {
		parts := strings.Split(h, ",")
		for i := len(parts) - 1; i >= 0; i-- {
			f := strings.Fields(parts[i])
			if len(f) >= 2 && strings.EqualFold(f[0], "compute") {
				return strings.TrimSpace(strings.Join(f[1:], " "))
			}
		}
	}
	if h, ok := headerValue(r, novaLegacyHeader); ok {
		parts := strings.Split(h, ",")
		return strings.TrimSpace(parts[len(parts)-1])
	}
	return ""
}

// novaVersion is nova's Request.set_api_version_request: the version the
// request runs at, or the fault Resource.__call__ answers (400 for a
// malformed string, 406 outside 2.1–2.104).
func novaVersion(r *http.Request) (apiVersion, int, string) {
	s := requestedNovaVersion(r)
	switch {
	case s == "":
		return novaMinVersion, 0, ""
	case s == "latest":
		return novaMaxVersion, 0, ""
	}
	return checkVersion(s, novaMinVersion, novaMaxVersion)
}

// setNovaVersionHeaders is what nova's Resource and Fault add to every
// response of a versioned request.
func setNovaVersionHeaders(h http.Header, v apiVersion) {
	h.Set(novaVersionHeader, "compute "+v.String())
	h.Set(novaLegacyHeader, v.String())
	h.Add("Vary", novaVersionHeader)
	h.Add("Vary", novaLegacyHeader)
}

// cinderVersion is cinder's Request.set_api_version_request: no header is
// 3.0; a header naming no "volume" raises VersionNotFoundForAPIMethod,
// which FaultWrapper answers with a bare 400 (-1 here).
func cinderVersion(r *http.Request) (apiVersion, int, string) {
	h, ok := headerValue(r, novaVersionHeader)
	if !ok {
		return cinderMinVersion, 0, ""
	}
	var s string
	for _, part := range strings.Split(h, ",") {
		if strings.Contains(part, "volume") {
			if f := strings.Fields(part); len(f) == 2 {
				s = f[1]
			}
			break
		}
	}
	switch {
	case s == "":
		return apiVersion{}, -1, ""
	case s == "latest":
		return cinderMaxVersion, 0, ""
	}
	return checkVersion(s, cinderMinVersion, cinderMaxVersion)
}

// checkVersion is APIVersionRequest's parse and the range check both
// services make: 400 for a malformed string, 406 outside [lo, hi].
func checkVersion(s string, lo, hi apiVersion) (apiVersion, int, string) {
	v, ok := parseVersion(s)
	if !ok {
		return apiVersion{}, http.StatusBadRequest, fmt.Sprintf(
			"API Version String %s is of invalid format. Must be of format MajorNum.MinorNum.", s)
	}
	if !v.within(lo, hi) {
		return apiVersion{}, http.StatusNotAcceptable, fmt.Sprintf(
			"Version %s is not supported by the API. Minimum is %s and maximum is %s.", v, lo, hi)
	}
	return v, 0, ""
}
