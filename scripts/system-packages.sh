#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when they are missing.
# Usage: scripts/system-packages.sh test   (PostgreSQL server)
# Fails, naming the package, when one can't be installed: the suite never skips for it.
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pg() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || have_cmd initdb; }

case "${1:-test}" in
  test)
    have_pg || need+=(postgresql)
    ;;
  *) echo "usage: $0 test" >&2; exit 2 ;;
esac

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing system packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if have_cmd sudo; then SUDO=sudo; else
    echo "Missing system packages: ${need[*]}. Install them as root (apt-get install ${need[*]})." >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { echo "apt-get update failed; cannot install: ${need[*]}" >&2; exit 1; }
if ! $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
  echo "Could not install: ${need[*]}. The test suite needs them and does not skip." >&2
  exit 1
fi
