package v1alpha1

import "errors"

// Decode reads every YAML or JSON document of data (source names the file in
// errors) strictly and returns typed objects. Nothing is defaulted or validated.
func Decode(data []byte, source string) ([]Object, error) { return nil, errors.New("not implemented") }

// DecodeObject strictly decodes exactly one object (an API request body).
func DecodeObject(data []byte) (Object, error) { return nil, errors.New("not implemented") }
