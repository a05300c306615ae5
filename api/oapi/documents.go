package oapi

import (
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"sync"

	"k8s.io/kube-openapi/pkg/validation/spec"

	"minka/api/v1alpha1"
)

// GroupVersionPath is the v3 document's path for minka's group, as
// /openapi/v3 lists it.
const GroupVersionPath = "apis/" + v1alpha1.Group + "/" + v1alpha1.Version

var docsOnce = sync.OnceValues(func() (*documents, error) { return build() })

type documents struct {
	v2, v3, v3root []byte
}

// V2 is the Swagger 2.0 document kube-apiserver serves at /openapi/v2,
// for minka's paths and definitions.
func V2() ([]byte, error) {
	d, err := docsOnce()
	if err != nil {
		return nil, err
	}
	return d.v2, nil
}

// V3Root is /openapi/v3: where each group version's document is, with
// the hash kubectl caches it by.
func V3Root() ([]byte, error) {
	d, err := docsOnce()
	if err != nil {
		return nil, err
	}
	return d.v3root, nil
}

// V3 is the OpenAPI 3.0 document of minka.dev/v1alpha1.
func V3() ([]byte, error) {
	d, err := docsOnce()
	if err != nil {
		return nil, err
	}
	return d.v3, nil
}

// Definitions are the v2 schemas by name: the field manager of
// server-side apply types objects by them (managedfields.NewTypeConverter).
func Definitions() map[string]*spec.Schema { return buildDefinitions("#/definitions/") }

func build() (*documents, error) {
	ops := operations()
	v2, err := json.Marshal(map[string]any{
		"swagger":     "2.0",
		"info":        map[string]any{"title": "minka", "version": v1alpha1.Version},
		"paths":       v2Paths(ops),
		"definitions": buildDefinitions("#/definitions/"),
	})
	if err != nil {
		return nil, fmt.Errorf("encoding openapi v2: %w", err)
	}
	v3, err := json.Marshal(map[string]any{
		"openapi":    "3.0.0",
		"info":       map[string]any{"title": "minka", "version": v1alpha1.Version},
		"paths":      v3Paths(ops),
		"components": map[string]any{"schemas": buildDefinitions("#/components/schemas/")},
	})
	if err != nil {
		return nil, fmt.Errorf("encoding openapi v3: %w", err)
	}
	sum := sha512.Sum512(v3)
	root, err := json.Marshal(map[string]any{"paths": map[string]any{
		GroupVersionPath: map[string]any{"serverRelativeURL": fmt.Sprintf("/openapi/v3/%s?hash=%X", GroupVersionPath, sum)},
	}})
	if err != nil {
		return nil, err
	}
	return &documents{v2: v2, v3: v3, v3root: root}, nil
}

// paths renders every operation with render, grouped by path and method.
func paths(ops []operation, render func(operation) map[string]any) map[string]any {
	out := map[string]any{}
	for _, o := range ops {
		item, _ := out[o.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			out[o.path] = item
		}
		op := render(o)
		op["operationId"], op["tags"] = o.id, []string{"minkaDev_v1alpha1"}
		op["x-kubernetes-action"], op["x-kubernetes-group-version-kind"] = o.action, o.gvk()
		item[o.method] = op
	}
	return out
}

func v2Paths(ops []operation) map[string]any { return paths(ops, v2Operation) }

func v3Paths(ops []operation) map[string]any { return paths(ops, v3Operation) }

func v2Operation(o operation) map[string]any {
	op := map[string]any{
		"produces": []string{"application/json", "application/yaml"},
		"schemes":  []string{"https"},
	}
	var params []any
	for _, p := range o.parameters() {
		pm := map[string]any{"name": p.name, "in": p.in, "type": p.typ, "description": p.desc, "uniqueItems": true}
		if p.in == "path" {
			pm["required"] = true
		}
		params = append(params, pm)
	}
	if o.body != "" {
		params = append(params, map[string]any{"name": "body", "in": "body", "required": o.method != "delete",
			"schema": map[string]any{"$ref": "#/definitions/" + o.body}})
	}
	op["parameters"] = params
	switch {
	case o.patch:
		op["consumes"] = patchTypes
	case o.body != "":
		op["consumes"] = []string{"application/json", "application/yaml"}
	default:
		op["consumes"] = []string{"*/*"}
	}
	resp := map[string]any{"description": "OK"}
	if o.text {
		op["produces"] = []string{"text/plain"}
		resp["schema"] = map[string]any{"type": "string"}
	} else if o.resp != "" {
		resp["schema"] = map[string]any{"$ref": "#/definitions/" + o.resp}
	}
	op["responses"] = map[string]any{"200": resp, "401": map[string]any{"description": "Unauthorized"}}
	if o.method == "post" {
		op["responses"].(map[string]any)["201"] = resp
	}
	return op
}

func v3Operation(o operation) map[string]any {
	op := map[string]any{}
	var params []any
	for _, p := range o.parameters() {
		pm := map[string]any{"name": p.name, "in": p.in, "description": p.desc, "schema": map[string]any{"type": p.typ, "uniqueItems": true}}
		if p.in == "path" {
			pm["required"] = true
		}
		params = append(params, pm)
	}
	op["parameters"] = params
	if o.body != "" {
		types := []string{"application/json", "application/yaml"}
		if o.patch {
			types = patchTypes
		}
		content := map[string]any{}
		for _, t := range types {
			content[t] = map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + o.body}}
		}
		op["requestBody"] = map[string]any{"content": content, "required": o.method != "delete"}
	}
	resp := map[string]any{"description": "OK"}
	switch {
	case o.text:
		resp["content"] = map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}
	case o.resp != "":
		content := map[string]any{}
		for _, t := range []string{"application/json", "application/yaml"} {
			content[t] = map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + o.resp}}
		}
		resp["content"] = content
	}
	responses := map[string]any{"200": resp, "401": map[string]any{"description": "Unauthorized"}}
	if o.method == "post" {
		responses["201"] = resp
	}
	op["responses"] = responses
	return op
}
