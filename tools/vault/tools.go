//go:build tools

// Package tools pins Vault's server, built from its Go module: `vault server -dev` is the real
// Vault that the tests apply the rendered vault/terraform roots to, through its HTTP API.
package tools

import _ "github.com/hashicorp/vault"
