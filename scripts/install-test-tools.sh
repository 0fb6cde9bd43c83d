#!/usr/bin/env bash
# Tools only the tests (and the developers' screenshot commands) use; the box never needs them:
# - promtool (checks /metrics and the alert rules in monitoring/) comes from Debian's
#   `prometheus` package, of which only the one binary is unpacked into $VENV/bin;
# - Debian's Chromium, which the browser tests (tests/browser/) drive through Playwright;
#   Playwright's own browser download is never used (the venv's playwright comes from PyPI);
# - axe-core, vendored at a pinned version and integrity by signage.devtools.browserlibs into
#   $VENV/share/browser-libs (npm, which fetches it, comes with Node.js or Debian's npm).
# Each step does nothing when its tool is already there, so a second run works offline.
set -euo pipefail
venv_bin=${1:-.venv/bin}

sudo=""
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then sudo="sudo"; fi

apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "error: no apt-get to install $*; install it by hand" >&2
    exit 1
  fi
  echo "installing Debian packages for the tests: $*"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -qq --no-install-recommends "$@" \
    || { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "$@"; }
}

install_promtool() {
  [[ -x $venv_bin/promtool ]] && return 0
  command -v apt-get >/dev/null || { echo "error: no apt-get to fetch promtool; put it in $venv_bin by hand" >&2; exit 1; }
  local work
  work=$(mktemp -d)
  echo "fetching promtool (Debian package prometheus, unpacked into $venv_bin only)"
  if ! (cd "$work" && apt-get download -qq prometheus 2>/dev/null); then
    $sudo apt-get update -qq && (cd "$work" && apt-get download -qq prometheus)
  fi
  dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
  install -m 0755 "$work/root/usr/bin/promtool" "$venv_bin/promtool"
  rm -rf "$work"
}

install_chromium() {
  [[ -x /usr/bin/chromium ]] && return 0
  apt_install chromium
}

vendor_browser_libs() {
  # already vendored: nothing to fetch, so no npm needed
  "$venv_bin/python" -c 'import sys
from signage.devtools.browserlibs import PINS, missing
sys.exit(any(missing(name) for name in PINS))' && return 0
  command -v npm >/dev/null || apt_install npm
  "$venv_bin/python" -m signage.devtools.browserlibs
}

install_promtool
install_chromium
vendor_browser_libs
