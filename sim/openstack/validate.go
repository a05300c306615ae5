package openstack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Nova's request validation messages (nova/api/validation/validators.py):
// a failure below the top is "Invalid input for field/attribute <name>.
// Value: <str(value)>. <jsonschema message>", which quotes values with
// Python's repr.

func fieldError(name string, value any, msg string) string {
	return fmt.Sprintf("Invalid input for field/attribute %s. Value: %s. %s", name, pyStr(value), msg)
}

// onlyProperties is additionalProperties: false.
func onlyProperties(obj map[string]any, allowed ...string) string {
	var extra []string
	for k := range obj {
		if !slices.Contains(allowed, k) {
			extra = append(extra, pyRepr(k))
		}
	}
	if len(extra) == 0 {
		return ""
	}
	sort.Strings(extra)
	verb := "was"
	if len(extra) > 1 {
		verb = "were"
	}
	return fmt.Sprintf("Additional properties are not allowed (%s %s unexpected)", strings.Join(extra, ", "), verb)
}

// pyStr is str() of a decoded JSON value; pyRepr is repr().
func pyStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		if strings.Contains(x, "'") && !strings.Contains(x, `"`) {
			return `"` + x + `"`
		}
		return "'" + strings.ReplaceAll(strings.ReplaceAll(x, `\`, `\\`), "'", `\'`) + "'"
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case json.Number:
		return x.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// uuidLike is oslo_utils.uuidutils.is_uuid_like: 32 hex digits once
// "urn:", "uuid:", braces and dashes are taken out.
func uuidLike(s string) bool {
	s = strings.ToLower(s)
	for _, cut := range []string{"urn:", "uuid:", "{", "}", "-"} {
		s = strings.ReplaceAll(s, cut, "")
	}
	return hex32.MatchString(s)
}

// The values parameter_types.boolean accepts, and what they mean.
var booleanStrings = map[string]bool{
	"True": true, "TRUE": true, "true": true, "1": true, "ON": true, "On": true, "on": true,
	"YES": true, "Yes": true, "yes": true,
	"False": false, "FALSE": false, "false": false, "0": false, "OFF": false, "Off": false, "off": false,
	"NO": false, "No": false, "no": false,
}

func checkBoolean(v any) string {
	switch x := v.(type) {
	case bool:
		return ""
	case string:
		if _, ok := booleanStrings[x]; ok {
			return ""
		}
	default:
		return pyRepr(v) + " is not of type 'boolean', 'string'"
	}
	return pyRepr(v) + " is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', " +
		"False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']"
}

func boolFromString(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return booleanStrings[x]
	}
	return false
}
