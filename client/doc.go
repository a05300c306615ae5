// Package client is the typed Go client of minka's HTTP API, used by the
// CLI, the tests and anyone scripting minka. Errors from the server come
// back as apimachinery StatusErrors, so apierrors.IsNotFound, IsConflict,
// IsInvalid and friends work on them.
package client
