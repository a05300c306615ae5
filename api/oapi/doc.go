// Package oapi builds the OpenAPI documents minka serves (/openapi/v2 and
// /openapi/v3) from the Go types of api/v1alpha1 by reflection, with the
// descriptions of their doc comments, the enums validation allows, and
// kube-apiserver's extensions (x-kubernetes-group-version-kind, list
// types for server-side apply). kubectl explain reads them, kubectl hands
// validation to the server when it finds ?fieldValidation in them, and
// the field manager of server-side apply types objects by them.
package oapi

//go:generate go run ./gen
