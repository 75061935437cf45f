//go:build tools

// Package tools pins OpenTofu's command line, built from its Go module: `tofu init` and
// `tofu validate` on every Terraform root that Slipway renders.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
