//go:build tools

// Package tools pins the commands this module builds, so that `go mod tidy` keeps their
// dependencies: kube-apiserver from k8s.io/kubernetes (the staging modules replaced by their
// published versions, as k8s.io/kubernetes cannot be required otherwise).
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
