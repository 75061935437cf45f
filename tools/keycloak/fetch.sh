#!/usr/bin/env bash
# Keycloak is Java, not Go: its server distribution is published on Maven Central
# (org.keycloak:keycloak-quarkus-dist), the same zip the container image is built from. Fetched
# with Maven (checked by Maven against Central's checksums, then against the sha256 below),
# unpacked into "$1/keycloak-<version>", and run by "$1/bin/keycloak" (a wrapper of its kc.sh).
# The version is the one the identity component renders (KEYCLOAK_CHART.imageTag; a test checks
# they agree). Needs a JDK 21 or newer at run time, not here.
set -euo pipefail
version=26.5.6
sha256=490189d9dff05272432d51f71a069462eeca97f2920a694d539a1e6c26a5a347
out="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mvn -q -B dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$version:zip" -DoutputDirectory="$work" >&2
zip="$work/keycloak-quarkus-dist-$version.zip"
echo "$sha256  $zip" | sha256sum -c --quiet -
rm -rf "$out/keycloak-$version" "$work/unpacked"
mkdir -p "$work/unpacked"
unzip -q "$zip" -d "$work/unpacked"
mv "$work/unpacked/keycloak-$version" "$out/keycloak-$version"
cat > "$out/bin/keycloak.tmp" <<WRAPPER
#!/bin/sh
exec "$out/keycloak-$version/bin/kc.sh" "\$@"
WRAPPER
chmod +x "$out/bin/keycloak.tmp"
mv -f "$out/bin/keycloak.tmp" "$out/bin/keycloak"
