"""`RulesRouter`: the naming rules as a pipeline Router (first matching rule wins).

For each file: gather facts, find the first rule whose conditions hold, render its folder
and file-name templates with sanitized values, make every component Windows-safe, and fit
the whole path in the budget by shortening the description (never the date, matter or
sequence). No rule matched, no matter, or a path that cannot fit: Review/ with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from jinja2.exceptions import TemplateError

from intake_desktop.core.pipeline import Candidate, Decision
from intake_desktop.core.rules.conditions import Subject
from intake_desktop.core.rules.errors import RuleFailure
from intake_desktop.core.rules.facts import choose_date, extract_facts, text_facts
from intake_desktop.core.rules.in_force import PARENT_CACHE
from intake_desktop.core.rules.limits import RegexTimeout, render_bounded
from intake_desktop.core.rules.ruleset import (
    NO_MATCH_REASON,
    NO_MATCH_RULE,
    Rule,
    RuleSet,
)
from intake_desktop.core.rules.safepath import (
    MAX_COMPONENT_BYTES,
    clean_component,
    clean_extension,
    clean_folder,
    clean_value,
)

MATTERS_PREFIX = "Matters/"
# Room left for the filer's collision counter " (12)".
COUNTER_RESERVE = 5
_VERSION = re.compile(r"(?:^|[\s_\-.(])v(?:er(?:sion)?)?[\s_.]?(\d{1,3})(?=$|[\s_\-.)])", re.I)
_DATE_TOKEN = re.compile(
    r"(?<!\d)(?:(?:19|20)\d\d[-_.]?[01]\d[-_.]?[0-3]\d|[01]?\d[-_.][0-3]?\d[-_.](?:19|20)\d\d)(?!\d)"
)
_COUNTER = re.compile(r" \(\d+\)$")
ATTACHMENT_RULE = "attachment-of-parent"
# The date field a preset puts first in a name: 2024-03-05 or rcvd-2024-03-05 (undated).
_LEADING_DATE = re.compile(r"^(?:rcvd-|undated[-_]?)?\d{4}-\d{2}-\d{2}")


def describe_name(stem: str, matter: str) -> str | None:
    """A short description from a file name: dates, the matter number and versions removed."""
    text = _DATE_TOKEN.sub(" ", stem)
    text = _VERSION.sub(" ", text)
    if matter:
        text = re.sub(re.escape(matter), " ", text, flags=re.IGNORECASE)
    text = re.sub(r"[_\s]+", " ", text).strip(" -_.")
    return clean_value(text)


_PARTY = re.compile(
    r"^(petitioner|beneficiary|derivative(?:[ _-][^/]{1,40})?|joint[ _-]sponsor|sponsor|"
    r"co-?sponsor|household[ _-]member)$",
    re.IGNORECASE,
)


def party_in(subfolder: str) -> str | None:
    """The person a document belongs to, from Intake/<matter>/<party>/: Petitioner,
    Beneficiary, Derivative <name>, Sponsor, Joint sponsor ..."""
    first = subfolder.split("/", 1)[0].strip()
    if not _PARTY.match(first):
        return None
    text = clean_value(first.replace("_", " "))
    return text[:1].upper() + text[1:] if text else None


def version_in_name(stem: str) -> str | None:
    m = _VERSION.search(stem)
    return f"v{int(m.group(1)):02d}" if m else None


class RulesRouter:
    """Routes candidates with a validated RuleSet. `today` is injectable for tests."""

    def __init__(
        self,
        ruleset: RuleSet,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        read_files: bool = True,
    ) -> None:
        self.ruleset = ruleset
        self.rules_version = ruleset.version
        self._today = today
        self._read_files = read_files
        self._budget = ruleset.path_budget - COUNTER_RESERVE
        self._parent_folders: OrderedDict[str, str] = OrderedDict()

    # ---- Router protocol -----------------------------------------------------------------

    def route(self, candidate: Candidate) -> Decision:
        facts = dict(candidate.facts)
        if self._read_files and candidate.size and candidate.source.is_file():
            facts = extract_facts(candidate.source, candidate.detected_type, facts)
        facts = {**text_facts(facts), **facts}
        matter = candidate.matter_hint
        if not matter:
            return self._review(
                None, "no matter: drop the file into Intake/<matter>/ or use --matter", "no-matter"
            )
        if clean_component(matter) != matter or len(matter) > 60:
            return self._review(
                None,
                f"the matter number {matter!r} cannot be a folder name on every system: rename "
                "the intake folder or use --matter with letters, digits and - only",
                "bad-matter",
            )
        parts = candidate.relative.parts
        if len(parts) > 1 and parts[0] == matter:
            parts = parts[1:]
        if not parts:
            parts = (candidate.source.name,)
        name = parts[-1]
        subfolder = "/".join(parts[:-1])
        stem, suffix = _split_name(name)
        ext = clean_extension(candidate.filed_suffix or suffix)
        capture_date = _iso_or_none(facts.get("capture_date"))
        date, date_source = choose_date(facts, name)
        document_date = date if date_source != "capture_date" else None
        attachment = candidate.child_index > 0
        subject = Subject(
            name=name,
            subfolder=subfolder,
            detected_type=candidate.detected_type,
            size=candidate.size,
            matter=matter,
            attachment=attachment,
            has_date=date is not None,
            facts=facts,
        )
        for rule, captured in self._candidates(subject, candidate):
            if rule.review:
                return self._review(matter, rule.review, rule.name, rule.category, date)
            ctx: dict[str, Any] = {
                "matter": matter,
                "date": date,
                "received": self._today().isoformat(),
                "name": clean_value(stem),
                "ext": ext,
                "subfolder": clean_value(subfolder),
                "type": candidate.detected_type,
                "category": clean_value(rule.category),
                "code": clean_value(rule.code),
                "description": describe_name(stem, matter),
                "version": version_in_name(stem),
                "email_from": clean_value(facts.get("email_from")),
                "email_subject": clean_value(facts.get("email_subject")),
                "pdf_title": clean_value(facts.get("pdf_title")),
                "document_date": document_date,
                "capture_date": capture_date,
                "date_source": date_source,
                "receipt_number": clean_value(facts.get("receipt_number")),
                "form_number": clean_value(facts.get("form_number")),
                "language": clean_value(facts.get("language")),
                "party": party_in(subfolder),
            }
            ctx.update(dict.fromkeys(rule.captures))
            for key, value in captured.items():
                ctx[key] = clean_value(value)
            return self._decide(rule, ctx, candidate, matter, date, ext)
        if attachment and candidate.parent_name:
            parent_folder = self._parent_folder(PurePosixPath(candidate.parent_name).name)
            if parent_folder is not None:
                # No rule for the attachment itself: it stays with its family.
                family_name = self._family_name(candidate, matter, parent_folder, ext, date)
                if family_name is not None:
                    return Decision(
                        matter=matter,
                        folder=parent_folder,
                        filename=family_name,
                        category="Attachment",
                        rule=ATTACHMENT_RULE,
                        document_date=date,
                        date_source=date_source if date else "parent",
                        rules_version=self.rules_version,
                    )
        return self._review(matter, NO_MATCH_REASON, NO_MATCH_RULE, "", date)

    def _candidates(
        self, subject: Subject, candidate: Candidate
    ) -> list[tuple[Rule, dict[str, Any]]]:
        """The rules to try, with what their conditions captured. A category a person
        assigned (review) picks that category's rules: the first whose conditions hold,
        else the first of them; the other rules are not tried."""
        assigned = str(candidate.facts.get("assigned_category") or "")
        if assigned:
            mine = [r for r in self.ruleset.rules if r.category == assigned and not r.review]
            if mine:
                for rule in mine:
                    captured = _match(rule, subject)
                    if captured is not None:
                        return [(rule, captured)]
                return [(mine[0], {})]
        found = []
        for rule in self.ruleset.rules:
            captured = _match(rule, subject)
            if captured is not None:
                found.append((rule, captured))
                break
        return found

    # ---- deciding ------------------------------------------------------------------------

    def _review(
        self,
        matter: str | None,
        reason: str,
        rule: str,
        category: str = "",
        date: str | None = None,
    ) -> Decision:
        return Decision(
            matter=matter,
            review_reason=reason,
            rule=rule,
            category=category,
            document_date=date,
            rules_version=self.rules_version,
        )

    def _decide(
        self,
        rule: Rule,
        ctx: dict[str, Any],
        candidate: Candidate,
        matter: str,
        date: str | None,
        ext: str,
    ) -> Decision:
        try:
            if rule.description is not None:
                described = clean_value(render_bounded(rule.description, ctx))
                ctx["description"] = described or ctx["description"]
            if candidate.child_index > 0 and candidate.parent_name:
                folder, filename = self._family(rule, ctx, candidate, matter, ext)
            else:
                folder, filename = self._fit(rule, ctx, matter, ext)
        except (TemplateError, TypeError, ValueError, OverflowError) as exc:
            return self._review(
                matter,
                f"the rule {rule.name!r} could not name this file ({exc})",
                rule.name,
                rule.category,
                date,
            )
        if filename is None:
            return self._review(
                matter,
                f"the path would be longer than {self.ruleset.path_budget} characters even with "
                "the description shortened: shorten the rule's folder or the matter number",
                rule.name,
                rule.category,
                date,
            )
        if candidate.child_index == 0:
            self._remember_parent(filename, folder)
        return Decision(
            matter=matter,
            folder=folder,
            filename=filename,
            category=rule.category,
            rule=rule.name,
            document_date=date,
            date_source=ctx.get("date_source") if date or not candidate.child_index else "parent",
            rules_version=self.rules_version,
            approval=rule.approval,
        )

    def _render(self, rule: Rule, ctx: dict[str, Any], ext: str) -> tuple[tuple[str, ...], str]:
        assert rule.folder is not None and rule.filename is not None
        folder = clean_folder(render_bounded(rule.folder, ctx))
        stem = render_bounded(rule.filename, ctx).strip()
        stem = clean_component(stem, 10_000) if stem else "unnamed"
        return folder, stem + ext

    def _overflow(self, matter: str, folder: tuple[str, ...], filename: str) -> int:
        length = len(MATTERS_PREFIX) + len(matter) + 1 + sum(len(p) + 1 for p in folder)
        over = length + len(filename) - self._budget
        over_bytes = max(len(p.encode("utf-8")) for p in (*folder, filename)) - MAX_COMPONENT_BYTES
        return max(over, over_bytes)

    def _fit(
        self, rule: Rule, ctx: dict[str, Any], matter: str, ext: str
    ) -> tuple[str, str | None]:
        folder, filename = self._render(rule, ctx, ext)
        over = self._overflow(matter, folder, filename)
        for var in rule.shrinkable:
            while over > 0 and ctx.get(var):
                value = str(ctx[var])
                keep = max(len(value) - over, 0)
                ctx[var] = value[:keep].rstrip(" -_.,") or None
                folder, filename = self._render(rule, ctx, ext)
                over = self._overflow(matter, folder, filename)
            if over <= 0:
                break
        if over > 0:
            return "", None
        return "/".join(folder), filename

    def _family(
        self, rule: Rule, ctx: dict[str, Any], candidate: Candidate, matter: str, ext: str
    ) -> tuple[str, str | None]:
        """An attachment: the parent's stem + `.001`, beside the parent when known."""
        assert candidate.parent_name is not None
        parent_folder = self._parent_folder(PurePosixPath(candidate.parent_name).name)
        if self.ruleset.attachments == "with-parent" and parent_folder is not None:
            folder = parent_folder
        else:
            folder = "/".join(self._render(rule, ctx, ext)[0])
        return folder, self._family_name(candidate, matter, folder, ext, ctx.get("date"))

    def _family_name(
        self, candidate: Candidate, matter: str, folder: str, ext: str, own_date: str | None
    ) -> str | None:
        """`<parent stem>.001.pdf`; the parent's stem is cut from its end if over budget.

        A member with a date of its own (a pay stub in a zip, a dated letter attached to an
        email) carries that date in place of the parent's leading date."""
        assert candidate.parent_name is not None
        parent = PurePosixPath(candidate.parent_name)
        stem = parent.stem if parent.suffix else parent.name
        if own_date:
            stem = _LEADING_DATE.sub(own_date, stem, count=1)
        seq = f".{candidate.child_index:03d}"
        parts = tuple(p for p in folder.split("/") if p)
        name = clean_component(f"{stem}{seq}", 10_000) + ext
        over = self._overflow(matter, parts, name)
        while over > 0:
            stem = stem[: len(stem) - over].rstrip(" -_.")
            if len(stem) < 10:
                return None
            name = clean_component(f"{stem}{seq}", 10_000) + ext
            over = self._overflow(matter, parts, name)
        return name

    def remember(self, decision: Decision) -> None:
        """Take in a decision made by a copy of this router in a preparation worker (a
        file, not an attachment: those are routed here), as `route` would have."""
        if decision.filename and not decision.review_reason:
            self._remember_parent(decision.filename, decision.folder)

    def _remember_parent(self, filename: str, folder: str) -> None:
        self._parent_folders[filename] = folder
        self._parent_folders.move_to_end(filename)
        while len(self._parent_folders) > PARENT_CACHE:
            self._parent_folders.popitem(last=False)

    def _parent_folder(self, filed_name: str) -> str | None:
        if filed_name in self._parent_folders:
            return self._parent_folders[filed_name]
        p = PurePosixPath(filed_name)
        plain = _COUNTER.sub("", p.stem) + p.suffix
        return self._parent_folders.get(plain)


def _match(rule: Rule, subject: Subject) -> dict[str, Any] | None:
    """What the rule's conditions captured (None: they do not hold); a regex that runs out
    of time fails the rule, and the caller falls back (core/rules/active)."""
    try:
        return rule.conditions.match(subject)
    except RegexTimeout as exc:
        raise RuleFailure(f"the rule {rule.name!r}: {exc}") from exc


class ReviewRouter:
    """Sends every file to Review/ with one reason (used when no rules can be loaded)."""

    def __init__(self, reason: str, rules_version: str = "none") -> None:
        self.reason = reason
        self.rules_version = rules_version

    def route(self, candidate: Candidate) -> Decision:
        return Decision(
            matter=candidate.matter_hint,
            review_reason=self.reason,
            rule="rules-unavailable",
            rules_version=self.rules_version,
        )


def _split_name(name: str) -> tuple[str, str]:
    """("report.v2", ".pdf") from "report.v2.pdf", like pathlib's stem and suffix."""
    dot = name.rfind(".")
    if dot <= 0 or dot == len(name) - 1:
        return name, ""
    return name[:dot], name[dot:]


def _iso_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return None
