package v1alpha1

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Size limits of fields, each from the system that consumes the field. A
// value past one is a TooLong error that names the limit and, unlike
// Invalid, does not repeat the value.
const (
	// MaxDeploymentReplicas bounds a Deployment's spec.replicas. Marathon
	// sets no cap, but past this a value is a typo (a stray zero, or
	// int32's 2147483647), not a plan; and every task is an endpoint in
	// the status (about 200 bytes each), which must still fit the store's
	// object limit (1.5 MiB less overhead by default): 5000 endpoints are
	// about 1 MB, 10000 would not fit.
	MaxDeploymentReplicas = 5000
	// MaxPoolReplicas bounds a SlavePool's maxReplicas (and so its
	// replicas and minReplicas). Every replica is a Nova server and a
	// Jenkins agent: a thousand is far past the instance quota of any
	// OpenStack project a pool is given (Nova's default instance quota is
	// 10), while still bounding what a typo can ask of the cloud.
	MaxPoolReplicas = 1000

	// maxImageNameBytes is distribution/reference's NameTotalLengthMax:
	// the registry and repository part of an image reference.
	maxImageNameBytes = 255
	// maxImageBytes is the longest reference that can still be valid: the
	// name, ":" and a 128-character tag, "@sha256:" and 64 hex digits.
	maxImageBytes = maxImageNameBytes + 1 + 128 + len("@sha256:") + 64
	// maxOpenStackNameBytes bounds Glance image, Nova flavor and key pair,
	// Neutron network and security group and availability zone names: 255
	// characters in each of their APIs.
	maxOpenStackNameBytes = 255
	// maxUserDataBytes is Nova's user_data limit, 65535 characters of
	// base64 (nova/api/openstack/compute/schemas/user_data.py), before
	// encoding: 4*ceil(49149/3) = 65532.
	maxUserDataBytes = MaxUserDataBytes
	// maxPathBytes is Linux's PATH_MAX, for filesystem paths (hostPath,
	// containerPath, remoteFS) and what becomes one (git refs, job paths).
	maxPathBytes = 4096
	// maxSegmentBytes is Linux's NAME_MAX: one path segment.
	maxSegmentBytes = 255
	// MaxTextBytes bounds free text: cmd, each arg, env values, health
	// check commands, URIs, Marathon labels, constraint values, build
	// parameters, status strings. It is half of Linux's MAX_ARG_STRLEN
	// (128 KiB), the most one argv or environment string may hold, so
	// whatever passes can still be run; objects as a whole are bounded by
	// the store's object size limit.
	MaxTextBytes = 64 << 10
)

// Bounds of what an error repeats of the request, so that an answer is
// not sized by the request (a 3 MB bad value once made a 12 MB 422: in the message, the cause
// and, for a name, the details).
// apimachinery's TooLong and TooMany leave the value out; Invalid and the
// others repeat it whole, so ShortenErrors cuts it.
const (
	// MaxEchoBytes is how much of a bad value an error repeats.
	MaxEchoBytes = 256
	// maxDetailBytes bounds a field path and an error's detail (a regexp
	// error quotes the whole expression).
	maxDetailBytes = 512
	// MaxErrors is how many field errors are listed; the rest are counted
	// in one last error.
	MaxErrors = 100
)

// tooLong is the TooLong error of a string field past limit bytes.
func tooLong(v string, limit int, p *field.Path) field.ErrorList {
	if len(v) > limit {
		return field.ErrorList{field.TooLong(p, "", limit)}
	}
	return nil
}

// texts bounds each string of a list by limit.
func texts(vs []string, limit int, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, v := range vs {
		errs = append(errs, tooLong(v, limit, p.Index(i))...)
	}
	return errs
}

// textValues bounds each value of a map by limit.
func textValues(m map[string]string, limit int, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for k, v := range m {
		errs = append(errs, tooLong(v, limit, p.Key(k))...)
	}
	return errs
}

// ShortenErrors returns errs with every repeated value cut to
// MaxEchoBytes, every field path and detail to maxDetailBytes, each
// followed by "…(N bytes)", and at most MaxErrors errors: what an answer
// repeats of a request stays small whatever the request. It does not
// modify errs.
func ShortenErrors(errs field.ErrorList) field.ErrorList {
	if len(errs) == 0 {
		return errs
	}
	out := make(field.ErrorList, 0, min(len(errs), MaxErrors))
	for i, e := range errs {
		if i == MaxErrors-1 && len(errs) > MaxErrors {
			out = append(out, &field.Error{Type: field.ErrorTypeTooMany, Field: "…", BadValue: len(errs) - i,
				Detail: fmt.Sprintf("more field errors not listed (the first %d are)", i)})
			break
		}
		c := *e
		c.Field = Shorten(c.Field, maxDetailBytes)
		c.Detail = Shorten(c.Detail, maxDetailBytes)
		c.BadValue = shortValue(c.BadValue)
		out = append(out, &c)
	}
	return out
}

// shortValue is v, or when v renders longer than MaxEchoBytes its
// rendering (JSON, as field.Error's) cut short.
func shortValue(v any) any {
	switch t := v.(type) {
	case string:
		return Shorten(t, MaxEchoBytes)
	case nil, bool, int, int32, int64, float32, float64:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil || len(b) <= MaxEchoBytes {
		return v
	}
	return Shorten(string(b), MaxEchoBytes)
}

// Shorten returns s when it has at most limit bytes, else its head
// (whole runes) followed by "…(N bytes)", N being len(s), in at most
// limit bytes in all (limit is more than the suffix): shortening twice
// changes nothing.
func Shorten(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	suffix := fmt.Sprintf("…(%d bytes)", len(s))
	cut := max(0, limit-len(suffix))
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + suffix
}

// MaxUserDataBytes is Nova's user_data limit in raw bytes (65535 base64
// characters): the template's limit, and the rendered user data's, which
// a controller checks before it boots a server.
const MaxUserDataBytes = 49149
