#!/usr/bin/env bash
# Prepares Vault's source for tools/build.sh and prints the extra `go build` flags (a -modfile).
#
# Vault's go.mod replaces its sdk module with the sdk directory of its own repository, and no
# published sdk version matches that directory at v1.21.4: v0.21.0 (the version it names, and the
# nearest one served) gave framework.Backend.ActivationFunc a third argument. So Vault's module is
# copied from the module cache (where go.sum verified it) into $1, two call sites of its identity
# store are adapted to that signature (and one of transit, below), and a go.mod beside it replaces
# the module with the copy.
# No Vault source is kept in this repository; the build fails if any edit no longer applies.
set -euo pipefail
work="$1"
here="$(cd "$(dirname "$0")" && pwd)"
version="$(sed -n 's/^require github.com\/hashicorp\/vault \(v[^ ]*\)$/\1/p' "$here/go.mod")"
src="$(cd "$here" && go mod download -json "github.com/hashicorp/vault@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
rm -rf "$work" && mkdir -p "$work"
cp -R "$src" "$work/vault" && chmod -R u+w "$work/vault"

edit() { # file sed-expression text-that-must-then-be-present
  sed -i "$2" "$work/vault/$1"
  grep -qF "$3" "$work/vault/$1" || { echo "prepare.sh: $1 no longer matches the expected code" >&2; exit 1; }
}
edit vault/identity_store.go \
  's/ActivationFunc: iStore.activateDeduplication,/ActivationFunc: func(ctx context.Context, req *logical.Request, _ string) error { return iStore.activateDeduplication(ctx, req) },/' \
  'return iStore.activateDeduplication(ctx, req) }'
edit vault/logical_system_activation_flags.go \
  's/b.idStoreBackend.ActivationFunc(ctx, nil)/b.idStoreBackend.ActivationFunc(ctx, nil, "")/' \
  'ActivationFunc(ctx, nil, "")'
# sdk v0.21.0's keysutil.LockManager.RestorePolicy returns only an error; the restored key's name is
# the one asked for (it records the name in an observation only).
edit builtin/logical/transit/path_restore.go \
  's/restoredKeyName, err := b.lm.RestorePolicy(ctx, req.Storage, keyName, backupB64, force)/restoredKeyName, err := keyName, b.lm.RestorePolicy(ctx, req.Storage, keyName, backupB64, force)/' \
  'restoredKeyName, err := keyName, b.lm.RestorePolicy('

cp "$here/go.sum" "$work/go.sum"
{ cat "$here/go.mod"; echo; echo "replace github.com/hashicorp/vault => $work/vault"; } > "$work/go.mod"
echo "-modfile=$work/go.mod"
