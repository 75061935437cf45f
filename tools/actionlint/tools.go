//go:build tools

// Package tools pins actionlint, built from its Go module: every preset's generated
// `.github/workflows/ci.yaml` (and the service template's) is checked by it — expressions, action
// inputs of popular actions, shell scripts' syntax, job and step structure.
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
