package v1alpha1

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// DecodeError is a document that could not be decoded: which file, which
// document (1-based), which object if it got that far, and why.
// +kubebuilder:object:generate=false
type DecodeError struct {
	Source string
	Doc    int
	Kind   string
	Name   string
	Err    error
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source + ": ")
	}
	fmt.Fprintf(&b, "document %d", e.Doc)
	if id := strings.TrimSpace(e.Kind + " " + e.Name); id != "" {
		fmt.Fprintf(&b, " (%s)", id)
	}
	return b.String() + ": " + e.Err.Error()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decode reads every YAML or JSON document of data strictly and returns
// typed objects; source names the file in errors. A JSON array or a
// kind: XList expands to its items. Unknown fields, duplicate keys and
// wrong types are errors naming the field. Nothing is defaulted or validated.
func Decode(data []byte, source string) ([]Object, error) {
	docs, err := splitDocuments(data)
	if err != nil {
		return nil, &DecodeError{Source: source, Doc: len(docs) + 1, Err: err}
	}
	var out []Object
	var errs []error
	for _, doc := range docs {
		objs, err := decodeDocument(doc)
		if err != nil {
			de := &DecodeError{Source: source, Doc: len(out) + 1, Err: err}
			de.Kind, de.Name = peekIdentity(doc)
			errs = append(errs, de)
			out = append(out, nil)
			continue
		}
		out = append(out, objs...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// DecodeObject strictly decodes exactly one object (an API request body).
func DecodeObject(data []byte) (Object, error) {
	// The common API body is one JSON object: decode it directly, without
	// the document splitting that manifests need.
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		if objs, err := decodeDocument(t); err == nil && len(objs) == 1 {
			return objs[0], nil
		}
	}
	objs, err := Decode(data, "")
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("expected exactly one object, got %d", len(objs))
	}
	return objs[0], nil
}

// splitDocuments returns each document as JSON. YAML goes through the
// strict converter, which refuses duplicate keys.
func splitDocuments(data []byte) ([][]byte, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return splitJSON(trimmed)
	}
	var docs [][]byte
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return docs, fmt.Errorf("reading YAML: %w", err)
		}
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			return docs, fmt.Errorf("parsing YAML: %w", err)
		}
		if t := bytes.TrimSpace(js); len(t) == 0 || bytes.Equal(t, []byte("null")) {
			continue // an empty document between separators, or only comments
		}
		docs = append(docs, js)
	}
}

func splitJSON(data []byte) ([][]byte, error) {
	var docs [][]byte
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return docs, nil
		} else if err != nil {
			return docs, fmt.Errorf("parsing JSON: %w", err)
		}
		if raw[0] != '[' {
			docs = append(docs, raw)
			continue
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return docs, fmt.Errorf("parsing JSON array: %w", err)
		}
		for _, it := range items {
			docs = append(docs, it)
		}
	}
}

// decodeDocument decodes one JSON document strictly: an object, or a list
// of them.
func decodeDocument(doc []byte) ([]Object, error) { return decodeDocumentWith(doc, strictUnmarshal) }

func decodeDocumentWith(doc []byte, unmarshal func([]byte, Object) error) ([]Object, error) {
	tm, err := peekTypeMeta(doc)
	if err != nil {
		return nil, fmt.Errorf("not an object: %w", err)
	}
	switch {
	case tm.APIVersion == "" && tm.Kind == "":
		return nil, errors.New("apiVersion and kind are required")
	case tm.Kind == "":
		return nil, errors.New("kind is required")
	case tm.Kind == "List" || strings.HasSuffix(tm.Kind, "List"):
		return decodeList(doc)
	case tm.APIVersion == "":
		return nil, errors.New("apiVersion is required")
	case tm.APIVersion != APIVersion:
		return nil, fmt.Errorf("apiVersion %q is not supported (want %s)", tm.APIVersion, APIVersion)
	}
	k, ok := kindByName(tm.Kind)
	if !ok {
		return nil, fmt.Errorf("kind %q is not a %s kind (known: %s)", tm.Kind, APIVersion, strings.Join(kindNames(), ", "))
	}
	obj := k.New()
	if err := unmarshal(doc, obj); err != nil {
		return nil, err
	}
	return []Object{obj}, nil
}

func decodeList(doc []byte) ([]Object, error) {
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(doc, &list); err != nil {
		return nil, fmt.Errorf("reading list items: %w", err)
	}
	var out []Object
	for i, item := range list.Items {
		objs, err := decodeDocument(item)
		if err != nil {
			return nil, fmt.Errorf("items[%d]: %w", i, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}

var typeErr = regexp.MustCompile(`^json: cannot unmarshal (.+) into Go (?:struct field|value) (?:\w+\.)?(\S*) of type (\S+)$`)

// peekTypeMeta reads apiVersion and kind from a JSON object, stopping as
// soon as both are found (they usually come first), so the document is
// not parsed twice in full.
func peekTypeMeta(doc []byte) (metav1.TypeMeta, error) {
	var tm metav1.TypeMeta
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return tm, fmt.Errorf("expected a JSON object")
	}
	for dec.More() && (tm.APIVersion == "" || tm.Kind == "") {
		t, err := dec.Token()
		if err != nil {
			return tm, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return tm, err
		}
		switch t {
		case "apiVersion":
			err = json.Unmarshal(v, &tm.APIVersion)
		case "kind":
			err = json.Unmarshal(v, &tm.Kind)
		}
		if err != nil {
			return tm, fmt.Errorf("%s: %w", t, err)
		}
	}
	return tm, nil
}

// strictUnmarshal decodes with unknown and duplicate fields as errors, and
// rewrites Go's type errors into the field-path form users read elsewhere.
func strictUnmarshal(doc []byte, obj Object) error {
	strict, err := unmarshal(doc, obj)
	if err != nil {
		return err
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = strictMessage(e.Error())
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

// unmarshal decodes doc into obj, returning unknown and duplicate fields
// apart from the errors that stop decoding.
func unmarshal(doc []byte, obj Object) ([]error, error) {
	strict, err := sigsjson.UnmarshalStrict(doc, obj, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err != nil {
		if m := typeErr.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("%s: Invalid type: got %s, want %s", m[2], m[1], m[3])
		}
		if fe := durationError(doc, obj); fe != nil {
			return nil, fe
		}
		return nil, err
	}
	return strict, nil
}

// DecodeObjectLax decodes one object as DecodeObject does, except that
// unknown and duplicate fields are not errors: it returns them in
// kube-apiserver's words (`unknown field "spec.replicaz"`), for
// fieldValidation=Warn to send as warnings and Ignore to drop. The fields
// themselves are dropped, as kube-apiserver drops them.
func DecodeObjectLax(data []byte) (Object, []string, error) {
	var warnings []string
	doc := bytes.TrimSpace(data)
	if len(doc) == 0 || doc[0] != '{' {
		js, strictErr := yaml.YAMLToJSONStrict(data)
		if strictErr != nil {
			// A YAML key set twice: the last wins, as in kube-apiserver.
			var err error
			if js, err = yaml.YAMLToJSON(data); err != nil {
				return nil, nil, fmt.Errorf("parsing YAML: %w", err)
			}
			warnings = append(warnings, strictErr.Error())
		}
		doc = js
	}
	tm, err := peekTypeMeta(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("not an object: %w", err)
	}
	if tm.Kind == "List" || strings.HasSuffix(tm.Kind, "List") {
		return nil, nil, fmt.Errorf("expected exactly one object, got a %s", tm.Kind)
	}
	objs, err := decodeDocumentWith(doc, func(doc []byte, obj Object) error {
		strict, err := unmarshal(doc, obj)
		for _, e := range strict {
			warnings = append(warnings, e.Error())
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return objs[0], warnings, nil
}

// strictMessage turns `unknown field "spec.replicaz"` into
// `spec.replicaz: unknown field` (the field first, as in validation errors).
func strictMessage(s string) string {
	for _, p := range []string{"unknown field ", "duplicate field "} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return strings.Trim(rest, `"`) + ": " + strings.TrimSpace(p)
		}
	}
	return s
}

// peekIdentity reads kind and namespace/name from a document for error
// messages, tolerating anything.
func peekIdentity(doc []byte) (string, string) {
	var m struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(doc, &m)
	name := m.Metadata.Name
	if m.Metadata.Namespace != "" {
		name = m.Metadata.Namespace + "/" + name
	}
	return m.Kind, name
}

func kindByName(kind string) (Kind, bool) {
	for _, k := range kinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return Kind{}, false
}

func kindNames() []string {
	var out []string
	for _, k := range kinds {
		out = append(out, k.Kind)
	}
	return out
}
