#!/usr/bin/env bash
# Tools only the tests use, put into the venv so nothing runs as a service on the box:
# promtool (checks /metrics and the alert rules in monitoring/) comes from Debian's
# `prometheus` package, of which only the one binary is unpacked into $VENV/bin.
set -euo pipefail
venv_bin=${1:-.venv/bin}
[[ -x $venv_bin/promtool ]] && exit 0
command -v apt-get >/dev/null || { echo "error: no apt-get to fetch promtool; put it in $venv_bin by hand" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetching promtool (Debian package prometheus, unpacked into $venv_bin only)"
if ! (cd "$work" && apt-get download -qq prometheus 2>/dev/null); then
  apt-get update -qq && (cd "$work" && apt-get download -qq prometheus)
fi
dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
install -m 0755 "$work/root/usr/bin/promtool" "$venv_bin/promtool"
