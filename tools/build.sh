#!/usr/bin/env bash
# Builds the real tools that the tests prove rendered artifacts against, from their Go modules at
# the versions pinned in tools/<name>/go.mod and go.sum, into "$SLIPWAY_TOOLS/bin" (default
# ~/.cache/slipway/tools). Each tools/<name>/build lists "<binary> <go package> [go build flags]"
# lines; a tools/<name>/prepare.sh, where one exists, prepares sources and prints further flags.
# A tool that is not Go (Keycloak, from Maven Central) has a tools/<name>/fetch.sh instead, which
# installs it under the output directory given as its argument.
#
# A tool whose stamp (Go version and every file of tools/<name>/) is unchanged is not
# rebuilt, and Go's own build cache (GOCACHE) makes a rebuild after a small change fast; on a fresh
# machine the first run downloads the modules and compiles everything (minutes: tools/README.md).
#
#   tools/build.sh            build every tool
#   tools/build.sh helm kube  build those only
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${SLIPWAY_TOOLS:-$HOME/.cache/slipway/tools}"
mkdir -p "$out/bin" "$out/stamps"
# Pinned modules come from the module proxy, checked against go.sum; no tool reads the network at run time.
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
export CGO_ENABLED="${CGO_ENABLED:-0}"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for d in "$here"/*/; do { [ -f "$d/build" ] || [ -f "$d/fetch.sh" ]; } && names+=("$(basename "$d")"); done
fi

for name in "${names[@]}"; do
  dir="$here/$name"
  [ -f "$dir/build" ] || [ -f "$dir/fetch.sh" ] ||
    { echo "tools/build.sh: no tool '$name' (no tools/$name/build or fetch.sh)" >&2; exit 2; }
  # Every file of the tool's directory counts: our own Go sources (tools/tofu/tfrefs) as much as go.sum.
  stamp="$( { go version; find "$dir" -type f | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-16)"
  if [ "$(cat "$out/stamps/$name" 2>/dev/null)" = "$stamp" ]; then
    echo "tools: $name up to date ($out/bin)"
    continue
  fi
  start=$SECONDS
  if [ -f "$dir/fetch.sh" ]; then
    bash "$dir/fetch.sh" "$out"
    echo "$stamp" > "$out/stamps/$name"
    echo "tools: fetched $name in $((SECONDS - start)) s ($out/bin)"
    continue
  fi
  # A tool whose module cannot be built as published prepares its source first (tools/vault).
  prepared=""
  if [ -f "$dir/prepare.sh" ]; then prepared="$(bash "$dir/prepare.sh" "$out/work/$name")"; fi
  mapfile -t lines < "$dir/build"
  for line in "${lines[@]}"; do
    read -r bin pkg flags <<< "$line"
    { [ -z "${bin:-}" ] || [ "${bin:0:1}" = "#" ]; } && continue
    (cd "$dir" && go build -trimpath ${flags:-} $prepared -o "$out/bin/$bin.tmp" "$pkg")
    mv -f "$out/bin/$bin.tmp" "$out/bin/$bin"
  done
  echo "$stamp" > "$out/stamps/$name"
  echo "tools: built $name in $((SECONDS - start)) s ($out/bin)"
done
