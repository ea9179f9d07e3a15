"""Normalizing mixed uploads into court-ready PDFs (the conversion stage of filing)."""

from intake_desktop.core.convert.base import ConversionError, ConvertLimits
from intake_desktop.core.convert.office import LibreOffice
from intake_desktop.core.convert.preparer import ConvertingPreparer

__all__ = ["ConversionError", "ConvertLimits", "ConvertingPreparer", "LibreOffice"]
