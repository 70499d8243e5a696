#!/usr/bin/env bash
# Install the Debian packages convo needs, when they are missing.
# Usage: scripts/system-packages.sh run    (fonts for the PDF summary)
#        scripts/system-packages.sh test   (the same fonts, PostgreSQL, Redis, poppler-utils,
#                                            LibreOffice, Chromium, Java, npm)
# Fails, naming the package, when one can't be installed: the suite never skips for it.
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pg() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || have_cmd initdb; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# The PDF summary's fonts (templates/summary/document.css): Noto Sans with its Hebrew and
# Arabic companions, and colour emoji.  Both packages are under the SIL Open Font License.
need_fonts() {
  have_pkg fonts-noto-core || need+=(fonts-noto-core)
  have_pkg fonts-noto-color-emoji || need+=(fonts-noto-color-emoji)
}

case "${1:-test}" in
  run)
    need_fonts
    ;;
  test)
    need_fonts
    have_pg || need+=(postgresql)
    have_cmd redis-server || [ -x /usr/bin/redis-server ] || need+=(redis-server)  # the queue's scale-out back-end
    have_cmd pdftotext || need+=(poppler-utils)  # tests read the PDF summary back
    have_cmd soffice || need+=(libreoffice-writer-nogui)  # the Word summary must open there
    have_cmd chromium || need+=(chromium)  # browser tests (Playwright drives Debian's Chromium)
    have_cmd java || need+=(default-jre-headless)  # the Nu HTML Checker
    have_cmd npm || need+=(npm)  # axe-core and vnu-jar come from the npm registry at test time
    ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
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
  echo "Could not install: ${need[*]}. convo needs them (the test suite does not skip)." >&2
  exit 1
fi
