#!/usr/bin/env bash
# Put the freedesktop files beside the bundle: share/applications, share/icons, share/metainfo.
# Usage: packaging/bundle-share.sh BUNDLE_DIR ICONS_DIR
set -euo pipefail
bundle="$1" icons="$2" here="$(cd "$(dirname "$0")" && pwd)"
install -Dm644 "$here/intake-desktop.desktop" "$bundle/share/applications/intake-desktop.desktop"
install -Dm644 "$here/com.intakedesktop.IntakeDesktop.metainfo.xml" \
    "$bundle/share/metainfo/com.intakedesktop.IntakeDesktop.metainfo.xml"
mkdir -p "$bundle/share/icons"
cp -r "$icons/hicolor" "$bundle/share/icons/"
echo "bundle: $bundle ($(du -sh "$bundle" | cut -f1)); run $bundle/intake-desktop"
