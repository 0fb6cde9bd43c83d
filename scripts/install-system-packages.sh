#!/usr/bin/env bash
# Install the Debian packages signage needs, only those that are missing.
# Fonts: Noto Sans covers Vietnamese; Noto Sans CJK carries the Simplified Chinese face.
# HDMI: SDL's X11 video loads libX11 and libXext (libXrandr to switch the output mode);
# xvfb is the X server the HDMI tests draw on (screenshots need no package: Pillow has xcb);
# libgl1 and libgl1-mesa-dri give SDL an OpenGL renderer: the HDMI window probes it for a GPU,
# and the tests run its GPU path on Mesa's software rasteriser.
# gcc, libc6-dev and the Python headers build the crossfade's C loop (signage/render/_blend.c);
# without them the install still works and crossfades cost about three times the CPU.
# systemd: its systemd-analyze scores and verifies the units (tests/test_units.py); it
# works offline, without systemd running (as in a container).
set -euo pipefail

packages=(fontconfig fonts-noto-core fonts-noto-cjk libx11-6 libxext6 libxrandr2 xvfb libgl1 libgl1-mesa-dri
          gcc libc6-dev systemd)
# A Python other than Debian's (pyenv, a source build) is fine if it has venv and is 3.11+.
if ! "${PYTHON:-python3}" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  packages+=(python3 python3-venv)
fi
if ! "${PYTHON:-python3}" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null; then
  packages+=(python3-dev)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing packages (${missing[*]}) and no apt-get here; install them by hand" >&2
  exit 1
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "error: run as root or install sudo to add: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
