"""Render the app icon (resources/icons/app.svg, the one source) at the usual sizes:
hicolor PNGs for Linux, .ico for Windows, .icns for macOS. Run by `make bundle`.

    python packaging/make_icons.py OUT_DIR
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "app.svg"


def render(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(SVG.read_bytes()))
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def main(out: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    pngs = {size: render(size) for size in SIZES}
    for size, data in pngs.items():
        target = out / "hicolor" / f"{size}x{size}" / "apps" / "intake-desktop.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    scalable = out / "hicolor" / "scalable" / "apps" / "intake-desktop.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(SVG.read_bytes())
    big = Image.open(io.BytesIO(pngs[256]))
    big.save(out / "intake-desktop.ico", sizes=[(s, s) for s in SIZES if s <= 256])
    Image.open(io.BytesIO(pngs[512])).save(out / "intake-desktop.icns")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "packaging" / "icons")
