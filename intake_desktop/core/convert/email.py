"""Email (.eml, Outlook .msg) to a PDF of the message; every attachment becomes a child.

The PDF shows From, To, Cc, Date, Subject, the list of attachments and the body (an HTML
body is shown as readable text; nothing is fetched). Attachments, including nested
messages, are written into the work folder and returned as children, which the filer files
after the message in the same family. Nested messages recurse through the filer.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from intake_desktop.core.convert.base import (
    FLAG_CORRUPT,
    FLAG_OVER_LIMIT,
    ConversionError,
    Converted,
    ConvertLimits,
)
from intake_desktop.core.convert.facts import date_from_header, put, snippet
from intake_desktop.core.convert.render import TextPdf, reportlab_version
from intake_desktop.core.convert.text import html_to_text
from intake_desktop.core.mover import safe_name

EML_MIME = "message/rfc822"
MSG_MIME = "application/vnd.ms-outlook"


@dataclass
class Mail:
    """A message reduced to what the PDF and the naming rules need."""

    sender: str = ""
    to: str = ""
    cc: str = ""
    date: str = ""
    subject: str = ""
    body: str = ""
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # (name, bytes)
    notes: list[str] = field(default_factory=list)


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError, AttributeError):
        raw = msg.get_all(name, failobj=[]) if hasattr(msg, "get_all") else []
        value = raw[0] if raw else None
    return " ".join(str(value).split()) if value is not None else ""


def _is_body(part: Message) -> bool:
    return (
        part.get_content_type() in ("text/plain", "text/html")
        and part.get_content_disposition() != "attachment"
        and not part.get_filename()
    )


def _leaves(part: Message) -> Iterator[Message]:
    """Leaf parts; an attached message is one leaf (the filer recurses into it)."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    payload = part.get_payload()
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                yield from _leaves(sub)


def _body_text(msg: EmailMessage) -> str:
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
    except (KeyError, AttributeError):
        body = None
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, ValueError, AssertionError, KeyError):
        raw = body.get_payload(decode=True)
        content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if body.get_content_type() == "text/html" else content


def _attachment_name(part: Message, n: int) -> str:
    name = part.get_filename() or ""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        first = inner[0] if isinstance(inner, list) and inner else None
        subject = _header(first, "Subject") if isinstance(first, Message) else ""
        return f"{name or subject or f'message-{n}'}".removesuffix(".eml") + ".eml"
    if not name:
        ext = mimetypes.guess_extension(part.get_content_type()) or ".bin"
        name = f"attachment-{n}{ext}"
    return name


def _part_bytes(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return bytes(inner[0].as_bytes(policy=policy.default))
        return b""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def read_eml(path: Path, limits: ConvertLimits) -> Mail:
    size = path.stat().st_size
    if size > limits.max_email_bytes:
        raise ConversionError(
            f"the message is {size:,} bytes, more than the {limits.max_email_bytes:,}-byte "
            "limit for reading emails", path=path, flags=(FLAG_OVER_LIMIT,), detected_type=EML_MIME,
            fix="open it in the mail program and save the attachments by hand; kept in Review/",
        )
    with open(path, "rb") as fh:
        msg = BytesParser(policy=policy.default).parse(fh)
    assert isinstance(msg, EmailMessage)
    mail = Mail(
        sender=_header(msg, "From"), to=_header(msg, "To"), cc=_header(msg, "Cc"),
        date=_header(msg, "Date"), subject=_header(msg, "Subject"), body=_body_text(msg),
    )
    n = 0
    for part in _leaves(msg):
        if _is_body(part):
            continue
        n += 1
        if n > limits.max_children:
            total = sum(1 for p in _leaves(msg) if not _is_body(p))
            raise _too_many(path, total, limits, EML_MIME)
        mail.attachments.append((_attachment_name(part, n), _part_bytes(part)))
    return mail


def _too_many(path: Path, count: int, limits: ConvertLimits, mime: str) -> ConversionError:
    return ConversionError(
        f"the message has {count} attachments, more than the limit of {limits.max_children}",
        path=path, flags=(FLAG_OVER_LIMIT,), detected_type=mime,
        fix="save the attachments by hand and ingest them, or raise the limit; "
        "kept in Review/ unchanged",
    )


def _clean(value: Any) -> str:
    """A .msg string property without the NUL terminators some writers leave in."""
    return " ".join(str(value or "").replace("\0", " ").split())


def read_msg(path: Path, limits: ConvertLimits) -> Mail:
    """An Outlook .msg through extract-msg (read only). Not an OLE file: to Review."""
    import olefile

    if not olefile.isOleFile(str(path)):
        raise ConversionError(
            "not an Outlook message: a .msg must be an OLE compound file and this one is not "
            "(damaged, or another format renamed)",
            path=path, flags=(FLAG_CORRUPT,), detected_type=MSG_MIME,
            fix="ask the sender to forward the email again or to save it as .eml",
        )
    import extract_msg

    msg: Any = None
    try:
        msg = extract_msg.openMsg(str(path), delayAttachments=False)
        body = msg.body or ""
        if not body.strip() and getattr(msg, "htmlBody", None):
            html_body = msg.htmlBody
            body = html_to_text(html_body.decode("utf-8", "replace")
                                if isinstance(html_body, bytes) else str(html_body))
        mail = Mail(sender=_clean(msg.sender), to=_clean(msg.to), cc=_clean(msg.cc),
                    date=_clean(msg.date), subject=_clean(msg.subject), body=body.rstrip("\0"))
        if isinstance(msg.date, object) and hasattr(msg.date, "strftime"):
            mail.date = msg.date.strftime("%a, %d %b %Y %H:%M:%S %z")
        attachments = list(msg.attachments)
        if len(attachments) > limits.max_children:
            raise _too_many(path, len(attachments), limits, MSG_MIME)
        for n, att in enumerate(attachments, start=1):
            name = (getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)
                    or getattr(att, "name", None) or f"attachment-{n}.bin")
            data = att.data
            if data is None:  # a link (e.g. a cloud attachment): nothing to extract
                mail.notes.append(f"attachment {_clean(name)!r} is a link, not a file: it "
                                  "is not in the message; ask the sender for the file")
                continue
            if not isinstance(data, bytes):  # an embedded message: keep its raw .msg bytes
                embedded = getattr(data, "exportBytes", None)
                data = embedded() if callable(embedded) else b""
                name = str(name).removesuffix(".msg") + ".msg"
            mail.attachments.append((_clean(name) or f"attachment-{n}.bin", data))
        return mail
    except ConversionError:
        raise
    except Exception as exc:  # extract-msg raises many types for damaged files
        raise ConversionError(
            f"the Outlook message cannot be read ({exc.__class__.__name__}: {exc})",
            path=path, flags=(FLAG_CORRUPT,), detected_type=MSG_MIME,
            fix="ask the sender to forward the email again or to save it as .eml",
        ) from None
    finally:
        if msg is not None:
            msg.close()


def write_children(attachments: list[tuple[str, bytes]], workdir: Path) -> list[Path]:
    """Each attachment in its own numbered folder under its own (safe) name."""
    out = []
    for n, (name, data) in enumerate(attachments, start=1):
        folder = workdir / "children" / f"{n:04d}"
        folder.mkdir(parents=True)
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        target = folder / safe_name(base)
        target.write_bytes(data)
        out.append(target)
    return out


def email_to_pdf(path: Path, mime: str, kind: str, workdir: Path,
                 limits: ConvertLimits) -> Converted:
    mail = read_msg(path, limits) if kind == "msg" else read_eml(path, limits)
    dest = workdir / "converted.pdf"
    writer = TextPdf(dest, title=mail.subject or path.name)
    rows = [("From", mail.sender), ("To", mail.to)]
    if mail.cc:
        rows.append(("Cc", mail.cc))
    rows += [("Date", mail.date), ("Subject", mail.subject)]
    if mail.attachments:
        names = ", ".join(name for name, _ in mail.attachments[:50])
        more = len(mail.attachments) - 50
        rows.append((f"Attachments ({len(mail.attachments)})",
                     names + (f" and {more} more" if more > 0 else "")))
    writer.header(rows)
    writer.lines(mail.body.splitlines())
    pages = writer.close()
    result = Converted(pdf=dest)
    result.children = write_children(mail.attachments, workdir)
    result.notes += mail.notes
    result.conversions.append({
        "tool": "reportlab", "tool_version": reportlab_version(),
        "reader": "extract-msg" if kind == "msg" else "python email",
        "from_type": mime, "to_type": "application/pdf", "pages": pages,
        "attachments": len(mail.attachments),
    })
    iso, day = date_from_header(mail.date)
    put(result.facts, "email_from", mail.sender)
    put(result.facts, "email_to", mail.to)
    put(result.facts, "email_subject", mail.subject)
    put(result.facts, "email_date", iso or mail.date)
    put(result.facts, "_email_day", day)
    put(result.facts, "page_count", pages)
    put(result.facts, "first_page_text", snippet(
        "\n".join([f"From: {mail.sender}", f"Subject: {mail.subject}", mail.body[:4000]])))
    return result
