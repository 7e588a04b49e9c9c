//go:build tools

// Package tools pins the helm command so `go mod tidy` keeps its dependencies in
// go.mod/go.sum. It is never compiled (build tag "tools").
package tools

import _ "helm.sh/helm/v3/cmd/helm"
