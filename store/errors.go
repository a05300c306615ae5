package store

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/v1alpha1"
)

// Sentinel errors; every error the store returns for these cases wraps one.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict: the caller's resourceVersion (or uid precondition) is stale.
	ErrConflict = errors.New("conflict")
	// ErrGone: the requested revision has been compacted.
	ErrGone = errors.New("gone")
	// ErrInvalid: the request itself is malformed (bad resourceVersion, wrong kind).
	ErrInvalid = errors.New("invalid")
)

// Error says which object an error is about.
type Error struct {
	Err       error // one of the sentinels
	Kind      string
	Namespace string
	Name      string
	Msg       string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %v", objectRef(e.Kind, e.Namespace, e.Name), e.Err)
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// objectRef names an object in errors: "Deployment ci/web".
func objectRef(kind, ns, name string) string {
	if name == "" {
		return kind // the kind as a whole: a watch's or a list's error
	}
	if ns != "" {
		name = ns + "/" + name
	}
	return kind + " " + name
}

// InvalidError is a validation failure: every bad field with its path.
type InvalidError struct {
	Kind v1alpha1.Kind
	Name string
	Errs field.ErrorList
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("%s %q is invalid: %v", e.Kind.Kind, e.Name, e.Errs.ToAggregate())
}

// Is makes errors.Is(err, ErrInvalid) true for validation failures.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func notFound(k v1alpha1.Kind, ns, name string) error {
	return &Error{Err: ErrNotFound, Kind: k.Kind, Namespace: ns, Name: name}
}

func conflict(k v1alpha1.Kind, ns, name, msg string) error {
	return &Error{Err: ErrConflict, Kind: k.Kind, Namespace: ns, Name: name, Msg: msg}
}
