#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Intake Desktop needs, only those that are missing.
#   packaging/system-deps.sh run    what the app needs (Qt's libraries, libmagic, LibreOffice, OCR)
#   packaging/system-deps.sh test   the above plus what the tests and benchmarks use
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
TEST_PKGS=(xvfb xauth ghostscript qpdf inotify-tools postgresql)

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
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${MISSING[@]}"
