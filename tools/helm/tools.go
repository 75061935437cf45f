//go:build tools

// Package tools pins Helm's command line, built from its Go module: `helm template` renders the
// charts that Argo CD's Applications name, with the values Slipway renders for them.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
