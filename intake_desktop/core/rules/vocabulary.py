"""What each template variable and filter of the rules language means, in words (for the
editor's picker); a test keeps these in step with the variables and filters the engine knows."""

from __future__ import annotations

# Variable -> what it holds. Keys: exactly ruleset.BASE_VARIABLES.
VARIABLE_WORDS: dict[str, str] = {
    "matter": "the matter number",
    "date": "the document's date, YYYY-MM-DD (document date, capture date or file name)",
    "received": "the day the file was filed, YYYY-MM-DD",
    "name": "the file name as received, without its extension",
    "ext": "the filed copy's extension, e.g. .pdf (added to the file name for you)",
    "subfolder": "the intake subfolder below Intake/<matter>/",
    "type": "the detected file type (MIME type)",
    "category": "this rule's category",
    "code": "this rule's document-type code",
    "description": "a short description: the rule's description, or the name cleaned up",
    "version": "v02 when the file name carries a version, else empty",
    "email_from": "an email's sender",
    "email_subject": "an email's subject",
    "pdf_title": "the title stored in a PDF",
    "document_date": "the date read from the document itself",
    "capture_date": "when a photo was taken (from the camera)",
    "date_source": "where date came from: email_date, text:<label>, filename … or none",
    "receipt_number": "a USCIS receipt number read from the text (IOE0912345678)",
    "form_number": "a form number read from the text (I-130, DS-260, EOIR-26 …)",
    "language": "the language of a foreign-language document (French, Spanish …)",
    "party": "Petitioner, Beneficiary, Derivative …, Sponsor (Intake/<matter>/<party>/)",
}

# Filter -> (what is inserted, what it does). Keys: exactly templating.FILTERS.
FILTER_WORDS: dict[str, tuple[str, str]] = {
    "date": ("date('%Y-%m')", "reformat a date with strftime codes: 2024-02-11 -> 2024-02"),
    "slug": ("slug", "words joined by -: Letter re: MRI -> Letter-re-MRI"),
    "upper": ("upper", "UPPER CASE"),
    "lower": ("lower", "lower case"),
    "title": ("title", "Title Case"),
    "code": ("code(4)", "an upper-case letters-and-digits code: Medical record -> MEDI"),
    "truncate": ("truncate(60)", "at most n characters, cut at a word boundary"),
    "default": ("default('Document')", "this text when the value is missing or empty"),
    "pad": ("pad(3)", "a zero-padded number: 7 -> 007"),
}
