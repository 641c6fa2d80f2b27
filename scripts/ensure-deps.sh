#!/usr/bin/env bash
# Installs what DiDLab needs on a fresh Debian machine, only when it is missing. Needs root (or sudo).
#   scripts/ensure-deps.sh          to build: GSL (libgsl-dev), ReadStat (libreadstat-dev, Stata/SPSS/SAS
#                                   files), Open MPI (libopenmpi-dev, openmpi-bin: the didlab-mpi
#                                   executable) and pkg-config, which SwiftPM uses to find them
#   scripts/ensure-deps.sh --report also Chromium, which scripts/check-report.sh renders HTML reports in
set -euo pipefail
packages=()
if ! pkg-config --exists gsl 2>/dev/null || [ ! -f /usr/include/gsl/gsl_rng.h ]; then packages+=(libgsl-dev pkg-config); fi
if [ ! -f /usr/include/readstat.h ]; then packages+=(libreadstat-dev); fi
if ! pkg-config --exists ompi-c 2>/dev/null || ! command -v mpirun >/dev/null; then packages+=(libopenmpi-dev openmpi-bin); fi
# fonts-dejavu-core: with --no-install-recommends Chromium's recommended fonts are not installed.
if [ "${1:-}" = "--report" ] && ! command -v chromium >/dev/null; then packages+=(chromium fonts-dejavu-core); fi
if [ "${#packages[@]}" -eq 0 ]; then exit 0; fi
echo "didlab: installing ${packages[*]} (missing)" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null 2>&1; then
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null
fi
pkg-config --exists gsl || { echo "didlab: GSL still not found after installing libgsl-dev" >&2; exit 1; }
[ -f /usr/include/readstat.h ] || { echo "didlab: readstat.h still not found after installing libreadstat-dev" >&2; exit 1; }
pkg-config --exists ompi-c || { echo "didlab: Open MPI still not found after installing libopenmpi-dev" >&2; exit 1; }
if [ "${1:-}" = "--report" ]; then command -v chromium >/dev/null || { echo "didlab: chromium still not found after installing it" >&2; exit 1; }; fi
