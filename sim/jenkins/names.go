package jenkins

import (
	"fmt"
	"strings"
	"unicode"
)

// checkGoodName is Jenkins.checkGoodName, with the messages of
// hudson/model/Messages.properties; "" means the name is good.
func checkGoodName(name string) string {
	if name == "" {
		return "No name is specified"
	}
	if t := strings.TrimSpace(name); t == "." || t == ".." {
		return "“" + t + "” is not an allowed name"
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "No control code is allowed: " + printable(name)
		}
		if strings.ContainsRune(`?*/\%!@#$^&|<>[]:;`, r) {
			return "‘" + string(r) + "’ is an unsafe character"
		}
	}
	if strings.HasSuffix(strings.TrimSpace(name), ".") {
		return "A name cannot end with ‘.’"
	}
	return ""
}

// printable is Jenkins.toPrintableName: control codes as \uXXXX.
func printable(name string) string {
	var b strings.Builder
	for _, r := range name {
		if unicode.IsControl(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fixEmptyAndTrim is Util.fixEmptyAndTrim; ok is false for null.
func fixEmptyAndTrim(s string) (string, bool) {
	s = strings.TrimSpace(s)
	return s, s != ""
}
