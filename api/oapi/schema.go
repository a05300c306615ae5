package oapi

import (
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/kube-openapi/pkg/validation/spec"

	"minka/api/v1alpha1"
)

const gvkExtension = "x-kubernetes-group-version-kind"

// definitions walks the Go types of every kind and list into named
// schemas, referenced as refPrefix+name ("#/definitions/" in v2,
// "#/components/schemas/" in v3).
type definitions struct {
	refPrefix string
	defs      map[string]*spec.Schema
	enums     map[string][]string
}

func buildDefinitions(refPrefix string) map[string]*spec.Schema {
	d := &definitions{refPrefix: refPrefix, defs: map[string]*spec.Schema{}, enums: v1alpha1.Enums()}
	for _, k := range v1alpha1.Kinds() {
		for _, obj := range []any{k.New(), k.NewList()} {
			t := reflect.TypeOf(obj).Elem()
			d.schemaOf(t)
			def := d.defs[defName(t)]
			def.AddExtension(gvkExtension, []any{map[string]any{"group": v1alpha1.Group, "version": v1alpha1.Version, "kind": t.Name()}})
		}
	}
	rb := reflect.TypeOf(v1alpha1.DeploymentRollback{})
	d.schemaOf(rb) // the body of a Deployment's rollback subresource
	d.defs[defName(rb)].AddExtension(gvkExtension, []any{map[string]any{"group": v1alpha1.Group, "version": v1alpha1.Version, "kind": rb.Name()}})
	d.defs[scaleName] = scaleSchema(refPrefix)
	d.defs[patchName] = &spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"object"},
		Description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."}}
	d.schemaOf(reflect.TypeOf(metav1.Status{}))
	d.schemaOf(reflect.TypeOf(metav1.DeleteOptions{}))
	return d.defs
}

var (
	timeType       = reflect.TypeOf(metav1.Time{})
	microTimeType  = reflect.TypeOf(metav1.MicroTime{})
	fieldsV1Type   = reflect.TypeOf(metav1.FieldsV1{})
	intOrString    = reflect.TypeOf(intstr.IntOrString{})
	quantityType   = reflect.TypeOf(resource.Quantity{})
	rawExtension   = "k8s.io/apimachinery/pkg/runtime.RawExtension"
	conditionsType = reflect.TypeOf([]metav1.Condition{})
)

// defName is a type's definition name as kube-openapi spells it: the
// reversed domain of its package, then the type.
func defName(t reflect.Type) string {
	switch pkg := t.PkgPath(); {
	case pkg == "minka/api/v1alpha1":
		return "dev.minka.v1alpha1." + t.Name()
	case strings.HasPrefix(pkg, "k8s.io/"):
		return "io.k8s." + strings.ReplaceAll(strings.TrimPrefix(pkg, "k8s.io/"), "/", ".") + "." + t.Name()
	default:
		return strings.ReplaceAll(pkg, "/", ".") + "." + t.Name()
	}
}

// schemaOf is the schema of a field of type t: inline for scalars, lists
// and maps, a reference for named structs (defined on first sight).
func (d *definitions) schemaOf(t reflect.Type) spec.Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType, t == microTimeType:
		return str("date-time")
	case t == intOrString, t == quantityType:
		s := spec.Schema{}
		s.AddExtension("x-kubernetes-int-or-string", true)
		return s
	case t.Name() == "Duration" && (t.PkgPath() == "minka/api/v1alpha1" || t.PkgPath() == "k8s.io/apimachinery/pkg/apis/meta/v1"):
		return str("duration")
	case t == fieldsV1Type:
		return spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"object"}}}
	case t.PkgPath()+"."+t.Name() == rawExtension:
		s := spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"object"}}}
		s.AddExtension("x-kubernetes-preserve-unknown-fields", true)
		return s
	}
	switch t.Kind() {
	case reflect.String:
		return str("")
	case reflect.Bool:
		return typ("boolean", "")
	case reflect.Int32, reflect.Uint32, reflect.Int16, reflect.Uint16, reflect.Int8, reflect.Uint8:
		return typ("integer", "int32")
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64:
		return typ("integer", "int64")
	case reflect.Float32, reflect.Float64:
		return typ("number", "double")
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return str("byte")
		}
		item := d.schemaOf(t.Elem())
		return spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"array"}, Items: &spec.SchemaOrArray{Schema: &item}}}
	case reflect.Map:
		v := d.schemaOf(t.Elem())
		return spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"object"}, AdditionalProperties: &spec.SchemaOrBool{Allows: true, Schema: &v}}}
	case reflect.Struct:
		name := defName(t)
		if _, ok := d.defs[name]; !ok {
			d.defs[name] = &spec.Schema{} // placeholder: recursive types
			def := d.structSchema(t)
			d.defs[name] = &def
		}
		return spec.Schema{SchemaProps: spec.SchemaProps{Ref: spec.MustCreateRef(d.refPrefix + name)}}
	}
	return spec.Schema{}
}

func (d *definitions) structSchema(t reflect.Type) spec.Schema {
	s := spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"object"}, Description: docs[t.Name()], Properties: map[string]spec.Schema{}}}
	if t.PkgPath() != "minka/api/v1alpha1" {
		s.Description = metaDocs[t.Name()]
	}
	d.addFields(&s, t)
	return s
}

func (d *definitions) addFields(s *spec.Schema, t reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && (name == "" || strings.Contains(opts, "inline")) {
			d.addFields(s, f.Type)
			continue
		}
		if name == "" {
			name = f.Name
		}
		p := d.schemaOf(f.Type)
		desc := docs[t.Name()+"."+name]
		if t.PkgPath() != "minka/api/v1alpha1" {
			desc = metaDocs[t.Name()+"."+name]
		}
		if desc == "" {
			desc = envelopeDoc(t.Name(), name)
		}
		if values, ok := d.enums[t.Name()+"."+name]; ok {
			for _, v := range values {
				p.Enum = append(p.Enum, v)
			}
		}
		p.Description = desc
		if ext, ok := metaListTypes[t.Name()+"."+name]; ok {
			for k, v := range ext {
				p.AddExtension(k, v)
			}
		}
		if f.Type == conditionsType {
			// Conditions merge by type under server-side apply, as
			// kube's own conditions do.
			p.AddExtension("x-kubernetes-list-type", "map")
			p.AddExtension("x-kubernetes-list-map-keys", []any{"type"})
		}
		s.Properties[name] = p
		if required(f, opts) {
			s.Required = append(s.Required, name)
		}
	}
}

// required follows kube-openapi (no omitempty) with two exceptions that
// let kubectl stay quiet about what minka never asks for: numbers and
// booleans (their zero value is a value), and the envelope fields.
func required(f reflect.StructField, opts string) bool {
	if strings.Contains(opts, "omitempty") || f.Type.Kind() == reflect.Pointer {
		return false
	}
	switch f.Type.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return false
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "metadata", "status", "apiVersion", "kind":
		return false
	}
	return true
}

func str(format string) spec.Schema { return typ("string", format) }

func typ(t, format string) spec.Schema {
	return spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{t}, Format: format}}
}
