package v1alpha1

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

var durationType = reflect.TypeOf(Duration{})

// durationError finds the duration field that failed to parse.
// Duration's UnmarshalJSON reports `time: invalid duration "x"`
// without saying which field; this walks the document along the Go type to
// name it.
func durationError(doc []byte, obj Object) error {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return nil
	}
	return walkDurations(reflect.TypeOf(obj).Elem(), v, nil)
}

func walkDurations(t reflect.Type, v any, path *field.Path) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == durationType {
			s, ok := v.(string)
			if !ok {
				return field.Invalid(path, v, "must be a duration string such as 90s or 10m")
			}
			if _, err := time.ParseDuration(s); err != nil {
				return field.Invalid(path, s, fmt.Sprintf("not a duration (%v)", err))
			}
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" && f.Anonymous {
				if err := walkDurations(f.Type, v, path); err != nil {
					return err
				}
				continue
			}
			if fv, ok := m[name]; ok {
				if err := walkDurations(f.Type, fv, childPath(path, name)); err != nil {
					return err
				}
			}
		}
	case reflect.Slice:
		items, _ := v.([]any)
		for i, it := range items {
			if err := walkDurations(t.Elem(), it, path.Index(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func childPath(p *field.Path, name string) *field.Path {
	if p == nil {
		return field.NewPath(name)
	}
	return p.Child(name)
}
