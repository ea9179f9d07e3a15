#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Intake Desktop needs, only those that are missing.
#   packaging/system-deps.sh run    what the app needs (Qt's libraries, libmagic, LibreOffice, OCR)
#   packaging/system-deps.sh test   the above plus what the tests and benchmarks use
# When another apt/dpkg process holds the lock (unattended upgrades, another install), it
# waits for it, saying so, up to INTAKE_APT_WAIT seconds (default 600), then gives up.
set -euo pipefail
MODE="${1:-run}"

RUN_PKGS=(
  python3 python3-venv make libmagic1
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
  libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui
  tesseract-ocr tesseract-ocr-eng ocrmypdf fonts-dejavu-core
  # Languages foreign civil documents arrive in (a French scan is OCRed again in French):
  tesseract-ocr-fra tesseract-ocr-spa tesseract-ocr-por tesseract-ocr-chi-sim
  tesseract-ocr-ara tesseract-ocr-rus tesseract-ocr-vie tesseract-ocr-fil
)
TEST_PKGS=(xvfb xauth ghostscript qpdf inotify-tools postgresql poppler-utils unzip binutils)

PKGS=("${RUN_PKGS[@]}")
if [ "$MODE" = "test" ]; then PKGS+=("${TEST_PKGS[@]}"); fi

if ! command -v dpkg >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; install the equivalents of: ${PKGS[*]}" >&2
  exit 0
fi

MISSING=()
for pkg in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || MISSING+=("$pkg")
done
if [ ${#MISSING[@]} -eq 0 ]; then exit 0; fi

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "system-deps: installing ${MISSING[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
WAIT_LIMIT="${INTAKE_APT_WAIT:-600}"
POLL="${INTAKE_APT_POLL:-5}"

# apt_retry ARGS...: run apt-get; while it fails because another process holds the apt or
# dpkg lock, wait and try again, up to WAIT_LIMIT seconds in all.
apt_retry() {
  local waited=0 said=0 log status
  log="$(mktemp)"
  while true; do
    status=0
    $SUDO apt-get -o DPkg::Lock::Timeout=0 "$@" 2>"$log" || status=$?
    if [ "$status" -eq 0 ]; then cat "$log" >&2; rm -f "$log"; return 0; fi
    if ! grep -qiE "could not get lock|unable to acquire the dpkg|is another process using it|lock-frontend" "$log"; then
      cat "$log" >&2; rm -f "$log"; return "$status"
    fi
    if [ "$waited" -ge "$WAIT_LIMIT" ]; then
      rm -f "$log"
      echo "system-deps: another package manager still holds the apt lock after ${WAIT_LIMIT} s." >&2
      echo "system-deps: let it finish (see: ps aux | grep -E 'apt|dpkg'), then run make again; INTAKE_APT_WAIT=SECONDS waits longer." >&2
      return 1
    fi
    if [ "$said" -eq 0 ]; then
      echo "system-deps: another package manager holds the apt lock; waiting for it (up to ${WAIT_LIMIT} s)..." >&2
      said=1
    fi
    sleep "$POLL"
    waited=$((waited + POLL))
  done
}

apt_retry update -qq
apt_retry install -y -qq --no-install-recommends "${MISSING[@]}"
