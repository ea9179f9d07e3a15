"""Normalizing mixed uploads into court-ready PDFs (the conversion stage of filing).

The names below load with their module when first used (core/lazy.py): the conversion
libraries load where files are converted, not in a filing step whose workers convert."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake_desktop.core.lazy import exports

if TYPE_CHECKING:
    from intake_desktop.core.convert.base import ConversionError, ConvertLimits
    from intake_desktop.core.convert.office import LibreOffice
    from intake_desktop.core.convert.preparer import ConvertingPreparer

_HOMES = {
    "ConversionError": "base",
    "ConvertLimits": "base",
    "LibreOffice": "office",
    "ConvertingPreparer": "preparer",
}

__getattr__ = exports(__name__, _HOMES)

__all__ = ["ConversionError", "ConvertLimits", "ConvertingPreparer", "LibreOffice"]
