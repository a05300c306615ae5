package marathon

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/mesos/mesos-go/api/v1/lib/master"
)

const mesosProtobuf = "application/x-protobuf"

// jsonCall is stout's protobuf::parse<Call> of a JSON value, as far as
// the master then looks: an object; a "type" that is a string (an enum
// name it does not know is dropped, as proto2 drops it).
func jsonCall(v any) (map[string]any, string) {
	call, ok := v.(map[string]any)
	if !ok {
		return nil, "Expecting a JSON object"
	}
	switch t := call["type"].(type) {
	case nil:
	case string:
		if _, known := master.Call_Type_value[t]; !known {
			delete(call, "type")
		}
	case float64:
		return nil, "Not expecting a JSON number for field 'type'"
	case bool:
		return nil, "Not expecting a JSON boolean for field 'type'"
	case []any:
		return nil, "Not expecting a JSON array for field 'type'"
	default:
		return nil, "Not expecting a JSON object for field 'type'"
	}
	return call, ""
}

// needsMessage are the calls validation::master::call::validate
// (src/master/validation.cpp at 1.10.0) refuses without their message,
// named as the call type in lower case.
var needsMessage = map[string]bool{"GET_METRICS": true, "SET_LOGGING_LEVEL": true, "LIST_FILES": true, "READ_FILE": true,
	"UPDATE_WEIGHTS": true, "RESERVE_RESOURCES": true, "UNRESERVE_RESOURCES": true, "CREATE_VOLUMES": true,
	"DESTROY_VOLUMES": true, "GROW_VOLUME": true, "SHRINK_VOLUME": true, "UPDATE_MAINTENANCE_SCHEDULE": true,
	"START_MAINTENANCE": true, "STOP_MAINTENANCE": true, "DRAIN_AGENT": true, "DEACTIVATE_AGENT": true,
	"REACTIVATE_AGENT": true, "UPDATE_QUOTA": true, "SET_QUOTA": true, "REMOVE_QUOTA": true, "TEARDOWN": true,
	"MARK_AGENT_GONE": true}

func validateCall(typ string, call map[string]any) string {
	if typ == "" {
		return "Expecting 'type' to be present"
	}
	if field := strings.ToLower(typ); needsMessage[typ] && call[field] == nil {
		return "Expecting '" + field + "' to be present"
	}
	return ""
}

// acceptsMediaType is libprocess's Request::acceptsMediaType: no Accept
// accepts all; else the type, then type/*, then */* must be listed
// (case-insensitive) with no q of 0.
func acceptsMediaType(r *http.Request, mediaType string) bool {
	vals := r.Header.Values("Accept")
	if len(vals) == 0 {
		return true
	}
	accept := strings.NewReplacer(" ", "", "\t", "", "\n", "").Replace(strings.Join(vals, ","))
	typ, _, _ := strings.Cut(mediaType, "/")
	for _, cand := range []string{mediaType, typ + "/*", "*/*"} {
		for _, entry := range strings.Split(accept, ",") {
			parts := strings.Split(entry, ";")
			if parts[0] == "" || !strings.EqualFold(parts[0], cand) {
				continue
			}
			var qs []string
			for _, p := range parts[1:] {
				if k, v, ok := strings.Cut(p, "="); ok && k == "q" {
					qs = append(qs, v)
				}
			}
			if len(qs) != 1 {
				return true
			}
			return parseQ(qs[0]) > 0
		}
	}
	return false
}

// parseQ is numify<double>: a q that is no number is not > 0.
func parseQ(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return f
}
