#!/usr/bin/env bash
# Installs what DiDLab needs to build on a fresh Debian machine, only when it is missing:
# GSL (libgsl-dev) and pkg-config, which SwiftPM uses to find it. Needs root (or sudo).
set -euo pipefail
if pkg-config --exists gsl 2>/dev/null && [ -f /usr/include/gsl/gsl_rng.h ]; then
  exit 0
fi
echo "didlab: installing libgsl-dev and pkg-config (GSL is missing)" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q libgsl-dev pkg-config >/dev/null 2>&1; then
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q libgsl-dev pkg-config >/dev/null
fi
pkg-config --exists gsl || { echo "didlab: GSL still not found after installing libgsl-dev" >&2; exit 1; }
