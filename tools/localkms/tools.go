//go:build tools

// Package tools pins Local KMS (nsmithuk/local-kms), an AWS KMS API server for tests, built from
// its Go module: the vault component's rendered `seal "awskms"` stanza is proved against it by a
// real Vault that initialises, restarts and unseals itself through it, and does not start without it
// (packages/core/test/components/vault-unseal-live.test.ts).
package tools

import _ "github.com/nsmithuk/local-kms"
