"""The preparer a workspace's filer files with, built the first time it is needed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intake_desktop.core.ocr.preparer import OcrPreparer
    from intake_desktop.core.ocr.step import OcrEngine
    from intake_desktop.core.pipeline import Prepared, Preparer


class StandardPreparer:
    """Conversion to PDF, then an OCR text layer on image-only pages (`OcrPreparer` over
    `ConvertingPreparer`; a missing OCR engine told to `on_notice` once), made when first
    used: the filing step of an `ingest` whose workers prepare every file (started before
    it: core/filing/early.py) never loads the conversion and PDF libraries. `engine`
    gives the OCR engine (the app's, or one of the worker's own)."""

    def __init__(self, engine: Callable[[], OcrEngine],
                 on_notice: Callable[[str], None] | None = None) -> None:
        self._engine = engine
        self._on_notice = on_notice
        self._built: OcrPreparer | None = None
        self._flags: tuple[Any, Any] | None = None

    @property
    def built(self) -> OcrPreparer:
        if self._built is None:
            from intake_desktop.core.convert import ConvertingPreparer
            from intake_desktop.core.ocr.preparer import OcrPreparer

            self._built = OcrPreparer(ConvertingPreparer(), self._engine(),
                                      on_notice=self._on_notice)
            if self._flags is not None:
                self._built.share_flags(*self._flags)
        return self._built

    @property
    def inner(self) -> Preparer:
        """The conversion stage (its `limits`: core/filing/pool.address_space_of)."""
        return self.built.inner

    def prepare(self, source: Path, sha256: str, workdir: Path) -> Prepared:
        return self.built.prepare(source, sha256, workdir)

    def before_fork(self) -> None:
        self.built.before_fork()

    def share_flags(self, said: Any, needed: Any) -> None:
        """`OcrPreparer.share_flags`, kept until it is built when it is not yet."""
        self._flags = (said, needed)
        if self._built is not None:
            self._built.share_flags(said, needed)
