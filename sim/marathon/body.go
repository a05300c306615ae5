package marathon

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
)

// Request bodies as Marathon reads them (Play JSON): a parse failure or a
// wrong JSON type is a 400 as MarathonExceptionMapper writes it.

// readJSON reads a body as Marathon's Json.parse does, answering 400 as
// the exception mapper does: an empty body is a JsonMappingException, an
// unparseable one a JsonParseException (details a string).
func (x *exchange) readJSON() (any, bool) {
	raw, err := io.ReadAll(x.r.Body)
	if err != nil {
		mapped(x.w, http.StatusBadRequest, "Invalid JSON")
		return nil, false
	}
	if strings.TrimSpace(string(raw)) == "" {
		mappedJSON(x.w, http.StatusBadRequest, map[string]any{"message": "Please specify data in JSON format",
			"details": "No content to map due to end-of-input\n at [Source: ; line: 1, column: 0]"})
		return nil, false
	}
	var body any
	if err := json.Unmarshal(raw, &body); err != nil {
		mappedJSON(x.w, http.StatusBadRequest, map[string]any{"message": "Invalid JSON", "details": err.Error()})
		return nil, false
	}
	return body, true
}

// invalidJSON answers a JsResultException: 400 with details per path.
func invalidJSON(w http.ResponseWriter, details []any) {
	mappedJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid JSON", "details": details})
}

func pathError(path string, errs ...string) map[string]any {
	list := []any{}
	for _, e := range errs {
		list = append(list, e)
	}
	return map[string]any{"path": path, "errors": list}
}

// readSpec reads one app definition or update.
func (x *exchange) readSpec() (map[string]any, bool) {
	body, ok := x.readJSON()
	if !ok {
		return nil, false
	}
	spec, isObject := body.(map[string]any)
	if !isObject {
		invalidJSON(x.w, []any{pathError("", "error.expected.jsobject")})
		return nil, false
	}
	if details := typeErrors(spec); len(details) > 0 {
		invalidJSON(x.w, details)
		return nil, false
	}
	return spec, true
}

// fieldTypes are the JSON types of the app fields Marathon reads.
var fieldTypes = map[string]string{"id": "jsstring", "cmd": "jsstring", "user": "jsstring", "executor": "jsstring",
	"instances": "jsnumber", "cpus": "jsnumber", "mem": "jsnumber", "disk": "jsnumber", "gpus": "jsnumber",
	"backoffSeconds": "jsnumber", "backoffFactor": "jsnumber", "maxLaunchDelaySeconds": "jsnumber",
	"env": "jsobject", "labels": "jsobject", "container": "jsobject", "upgradeStrategy": "jsobject",
	"args": "jsarray", "constraints": "jsarray", "uris": "jsarray", "fetch": "jsarray", "healthChecks": "jsarray",
	"portDefinitions": "jsarray", "dependencies": "jsarray", "requirePorts": "jsboolean"}

func typeErrors(body map[string]any) []any {
	var details []any
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		want, v := fieldTypes[k], body[k]
		ok := true
		switch want {
		case "jsstring":
			_, ok = v.(string)
		case "jsnumber":
			_, ok = v.(float64)
		case "jsobject":
			_, ok = v.(map[string]any)
		case "jsarray":
			_, ok = v.([]any)
		case "jsboolean":
			_, ok = v.(bool)
		}
		if !ok && v != nil {
			details = append(details, pathError("/"+k, "error.expected."+want))
		}
	}
	return details
}
