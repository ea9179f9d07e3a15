"""Load and validate a rules file (TOML) into a `RuleSet`; every error names file, line,
rule, field and the fix. Nothing here touches the disk except reading the file."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Template
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from intake_desktop.core.rules.conditions import Conditions, compile_conditions, group_names
from intake_desktop.core.rules.errors import RuleProblem, RulesError
from intake_desktop.core.rules.in_force import version_of
from intake_desktop.core.rules.limits import MAX_NESTING, render_bounded, too_deep
from intake_desktop.core.rules.templating import (
    TemplateProblem,
    compile_template,
    make_environment,
)

# Variables every template may use (values are None when unknown; see docs in the presets).
BASE_VARIABLES = frozenset(
    {
        "matter",  # the matter number
        "date",  # the document's date, YYYY-MM-DD (document date, capture date, or file name)
        "received",  # the day the file was filed, YYYY-MM-DD
        "name",  # the file name as received, without its extension
        "ext",  # the filed copy's extension, e.g. ".pdf" (added to the file name for you)
        "subfolder",  # the intake subfolder below Intake/<matter>/
        "type",  # detected MIME type
        "category",  # this rule's category
        "code",  # this rule's document-type code
        "description",  # short description: the rule's description template, or the name cleaned
        "version",  # "v02" when the file name carries a version, else none
        "email_from",
        "email_subject",
        "pdf_title",
        "document_date",
        "capture_date",
        "date_source",  # where `date` came from: email_date, text:<label>, filename, ... none
        "receipt_number",  # a USCIS receipt number read from the text (IOE0912345678)
        "form_number",  # a form number read from the text (I-130, DS-260, EOIR-26 ...)
        "language",  # the language of a foreign-language document (French, Spanish ...)
        "party",  # Petitioner, Beneficiary, Derivative ..., Sponsor (Intake/<matter>/<party>/)
    }
)
# Variables the path budget never shortens.
FIXED_VARIABLES = frozenset(
    {
        "matter",
        "date",
        "received",
        "ext",
        "category",
        "code",
        "version",
        "document_date",
        "capture_date",
        "date_source",
        "receipt_number",
        "form_number",
        "type",
    }
)

DEFAULT_PATH_BUDGET = 200
ATTACHMENT_MODES = ("with-parent", "by-rule")
SETTINGS_KEYS = {"name", "description", "path_budget", "attachments", "filename"}
RULE_KEYS = {"name", "category", "code", "folder", "filename", "description", "review", "when",
             "approval"}
# `approval = "attorney"`: the document is filed provisionally and waits for a lawyer's
# approval (the Supervision page; `intake-desktop approvals`).
APPROVERS = ("attorney",)
TOP_KEYS = {"settings", "rule"}
NO_MATCH_RULE = "no-rule-matched"
NO_MATCH_REASON = "no rule matched"


@dataclass(frozen=True)
class Rule:
    name: str
    category: str
    code: str
    conditions: Conditions
    folder: Template | None
    filename: Template | None
    description: Template | None
    review: str | None
    shrinkable: tuple[str, ...] = ()  # variables the budget may shorten, in order
    line: int | None = None
    # Named regex groups of the conditions: empty (None) in templates when an optional group
    # did not take part in the match.
    captures: frozenset[str] = frozenset()
    approval: str | None = None  # "attorney": filed provisionally until a lawyer approves


@dataclass(frozen=True)
class RuleSet:
    """A validated rules file."""

    source: str
    text: str
    name: str
    rules: tuple[Rule, ...]
    path_budget: int = DEFAULT_PATH_BUDGET
    attachments: str = "with-parent"
    env: SandboxedEnvironment = field(default_factory=make_environment, repr=False)

    @property
    def version(self) -> str:
        return version_of(self.text)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


class _Lines:
    """Finds the line of a rule or a field in the TOML text (1-based; None if unknown)."""

    _RULE = re.compile(r"^\s*\[\[\s*rule\s*\]\]")
    _TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\"' -]+?)\s*\]\s*(#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.rule_starts = [i for i, line in enumerate(self.lines) if self._RULE.match(line)]
        self.settings_start = next(
            (i for i, line in enumerate(self.lines) if re.match(r"^\s*\[\s*settings\s*\]", line)),
            None,
        )

    def _block(self, start: int) -> range:
        end = len(self.lines)
        for i in range(start + 1, len(self.lines)):
            line = self.lines[i]
            if self._RULE.match(line):
                end = i
                break
            m = self._TABLE.match(line)
            if m and not m.group(1).startswith(("rule.", "settings.")):
                end = i
                break
        return range(start, end)

    def rule(self, index: int) -> int | None:
        return self.rule_starts[index] + 1 if index < len(self.rule_starts) else None

    def field(self, index: int | None, key: str) -> int | None:
        start = (
            self.settings_start
            if index is None
            else (self.rule_starts[index] if index < len(self.rule_starts) else None)
        )
        if start is None:
            return None
        pattern = re.compile(rf"(^|[\s{{,.]){re.escape(key)}\s*=")
        for i in self._block(start):
            if pattern.search(self.lines[i].split("#", 1)[0]):
                return i + 1
        return start + 1


def _toml_problem(source: str, exc: tomllib.TOMLDecodeError) -> RuleProblem:
    text = str(exc)
    m = re.search(r"at line (\d+)", text)
    return RuleProblem(
        source,
        int(m.group(1)) if m else None,
        None,
        None,
        f"not valid TOML ({text})",
        "fix the syntax on that line (quotes, brackets, commas); see the comments in the preset",
    )


def _sample_contexts(known: set[str]) -> list[dict[str, Any]]:
    full: dict[str, Any] = {k: f"Sample-{k}" for k in known}
    full.update(
        {
            "date": "2024-03-01",
            "received": "2024-03-05",
            "document_date": "2024-03-01",
            "capture_date": "2024-03-01",
            "ext": ".pdf",
            "matter": "LIT-0001",
            "version": "v02",
            "type": "application/pdf",
        }
    )
    empty: dict[str, Any] = {k: None for k in known}
    empty.update(
        {"matter": "LIT-0001", "received": "2024-03-05", "ext": ".pdf", "category": "", "code": ""}
    )
    return [full, empty]


def _escapes(rendered: str) -> str | None:
    """Why a rendered folder would leave the matter folder (None: it would not)."""
    text = rendered.strip()
    if text.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", text):
        return f"renders an absolute path ({text!r})"
    parts = [p.strip() for p in re.split(r"[/\\]+", text)]
    if any(p == ".." for p in parts):
        return f"renders '..' ({text!r}), which would leave the matter folder"
    return None


def _none_as_empty(value: Any) -> Any:
    return "" if value is None else value


class _Loader:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.lines = _Lines(text)
        self.problems: list[RuleProblem] = []
        self.env = make_environment()
        self.env.finalize = _none_as_empty  # one function: compiled templates are reused

    def problem(
        self, line: int | None, rule: str | None, fld: str | None, error: str, fix: str
    ) -> None:
        self.problems.append(RuleProblem(self.source, line, rule, fld, error, fix))

    def load(self) -> RuleSet:
        deep = too_deep(self.text, opening="[{", closing="]}")  # TOML arrays and tables
        if deep is not None:
            raise RulesError([RuleProblem(
                self.source, deep + 1, None, None,
                f"brackets are nested more than {MAX_NESTING} levels deep",
                "write flatter values (no deeply nested lists, tables or parentheses)")])
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            raise RulesError([_toml_problem(self.source, exc)]) from exc
        except RecursionError:
            raise RulesError([RuleProblem(
                self.source, None, None, None, "values are nested too deeply",
                "write flatter values")]) from None
        for key in data:
            if key not in TOP_KEYS:
                self.problem(
                    None,
                    None,
                    key,
                    f"unknown section {key!r}",
                    "use [settings] and [[rule]] tables only",
                )
        settings = data.get("settings", {})
        if not isinstance(settings, dict):
            settings = {}
            self.problem(None, None, "settings", "[settings] must be a table", "write [settings]")
        name, budget, attachments, default_filename = self._settings(settings)
        raw_rules = data.get("rule", [])
        if not isinstance(raw_rules, list) or not raw_rules:
            self.problem(None, None, "rule", "no rules", "add at least one [[rule]] table")
            raw_rules = []
        rules: list[Rule] = []
        seen: dict[str, int] = {}
        catch_all: str | None = None
        for index, raw in enumerate(raw_rules):
            rule = self._rule(index, raw, default_filename)
            if rule is None:
                continue
            name_line = self.lines.field(index, "name")
            if rule.name in seen:
                self.problem(
                    name_line,
                    rule.name,
                    "name",
                    f"two rules are named {rule.name!r} (the first is at line {seen[rule.name]})",
                    "give each rule its own name",
                )
            seen.setdefault(rule.name, name_line or 0)
            if catch_all is not None:
                self.problem(
                    rule.line,
                    rule.name,
                    "when",
                    f"this rule can never match: the rule {catch_all!r} before it has "
                    "no conditions and takes every file",
                    f"move {catch_all!r} to the end or give it conditions",
                )
                catch_all = None  # report once
            no_when = isinstance(raw, dict) and not raw.get("when")
            if no_when and index < len(raw_rules) - 1 and catch_all is None:
                catch_all = rule.name
            rules.append(rule)
        if self.problems:
            raise RulesError(sorted(self.problems, key=lambda p: p.line or 0))
        return RuleSet(self.source, self.text, name, tuple(rules), budget, attachments, self.env)

    def _settings(self, s: dict[str, Any]) -> tuple[str, int, str, Any]:
        line = self.lines.field
        for key in s:
            if key not in SETTINGS_KEYS:
                self.problem(
                    line(None, key),
                    None,
                    f"settings.{key}",
                    f"unknown setting {key!r}",
                    f"use one of: {', '.join(sorted(SETTINGS_KEYS))}",
                )
        name = s.get("name", Path(self.source).stem)
        budget = s.get("path_budget", DEFAULT_PATH_BUDGET)
        if not isinstance(budget, int) or isinstance(budget, bool) or not 80 <= budget <= 400:
            self.problem(
                line(None, "path_budget"),
                None,
                "settings.path_budget",
                f"path_budget {budget!r} is not a number between 80 and 400",
                "write path_budget = 200 (characters below the workspace folder)",
            )
            budget = DEFAULT_PATH_BUDGET
        attachments = s.get("attachments", "with-parent")
        if attachments not in ATTACHMENT_MODES:
            self.problem(
                line(None, "attachments"),
                None,
                "settings.attachments",
                f"attachments = {attachments!r} is not a known mode",
                'write attachments = "with-parent" or "by-rule"',
            )
            attachments = "with-parent"
        return str(name), budget, str(attachments), s.get("filename")

    def _rule(self, index: int, raw: Any, default_filename: Any) -> Rule | None:
        line = self.lines.rule(index)
        if not isinstance(raw, dict):
            self.problem(
                line, None, None, "a rule must be a table", "write [[rule]] then key = value lines"
            )
            return None
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            self.problem(
                line,
                f"#{index + 1}",
                "name",
                "the rule has no name",
                'add name = "a-short-name" (unique in this file)',
            )
            name = f"#{index + 1}"
        else:
            name = name.strip()

        def fline(key: str) -> int | None:
            return self.lines.field(index, key)

        for key in raw:
            if key not in RULE_KEYS:
                self.problem(
                    fline(key),
                    name,
                    key,
                    f"unknown key {key!r}",
                    f"use one of: {', '.join(sorted(RULE_KEYS))}",
                )
        conditions, problems = compile_conditions(
            raw.get("when"), file=self.source, rule=name, line_of=fline
        )
        self.problems.extend(problems)
        captures: set[str] = set()
        for key, value in (
            (raw.get("when") or {}).items() if isinstance(raw.get("when"), dict) else ()
        ):
            captures |= group_names(key, value)
        clash = sorted(captures & BASE_VARIABLES)
        if clash:
            self.problem(
                fline("when"),
                name,
                "when",
                f"a regex group is named {clash[0]!r}, which is a built-in variable",
                "rename the group, e.g. (?P<provider>...)",
            )
        category = self._text(raw, "category", name, fline, default="")
        code = self._text(raw, "code", name, fline, default="")
        review = raw.get("review")
        if review is not None and (not isinstance(review, str) or not review.strip()):
            self.problem(
                fline("review"),
                name,
                "review",
                "review must be a reason text",
                'write review = "why a person must look at this file"',
            )
            review = None
        approval = raw.get("approval")
        if approval is not None and approval not in APPROVERS:
            self.problem(
                fline("approval"),
                name,
                "approval",
                f"approval = {approval!r} is not someone who can approve",
                'write approval = "attorney" (or leave it out)',
            )
            approval = None
        elif approval is not None and review is not None:
            self.problem(
                fline("approval"),
                name,
                "approval",
                "a rule that sends files to Review/ files nothing to approve",
                "remove approval, or give the rule a folder instead of review",
            )
            approval = None
        known = BASE_VARIABLES | captures
        description = self._template(
            raw.get("description"), "description", name, fline, known, folder=False
        )
        folder = filename = None
        used: set[str] = set()
        if review is None:
            if "folder" not in raw:
                self.problem(
                    line,
                    name,
                    "folder",
                    "the rule has no folder",
                    'add folder = "Correspondence" (use "" for the matter folder itself)',
                )
            folder_src = raw.get("folder", "")
            folder = self._template(folder_src, "folder", name, fline, known, folder=True)
            filename_src = raw.get("filename", default_filename)
            if filename_src is None:
                self.problem(
                    line,
                    name,
                    "filename",
                    "the rule has no file-name template",
                    'add filename = "..." here or a default filename in [settings]',
                )
            filename = self._template(filename_src, "filename", name, fline, known, folder=False)
            for src in (folder_src, filename_src, raw.get("description")):
                if isinstance(src, str):
                    used |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", src))
        shrink = ["description", *sorted((used & known) - FIXED_VARIABLES - {"description"})]
        return Rule(
            name,
            category,
            code,
            conditions,
            folder,
            filename,
            description,
            review.strip() if isinstance(review, str) else None,
            tuple(shrink),
            line,
            frozenset(captures),
            approval,
        )

    def _text(
        self,
        raw: dict[str, Any],
        key: str,
        rule: str,
        fline: Callable[[str], int | None],
        default: str,
    ) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str):
            self.problem(fline(key), rule, key, f"{key} must be text", f'write {key} = "..."')
            return default
        return value

    def _template(
        self,
        src: Any,
        key: str,
        rule: str,
        fline: Callable[[str], int | None],
        known: set[str] | frozenset[str],
        *,
        folder: bool,
    ) -> Template | None:
        if src is None:
            return None
        line = fline(key)
        if not isinstance(src, str):
            self.problem(line, rule, key, f"{key} must be a template text", f'write {key} = "..."')
            return None
        try:
            template, _ = compile_template(self.env, src, known)
        except TemplateProblem as exc:
            # Line within a multi-line template, counted from the key's line.
            at = line + exc.line - 1 if line and exc.line else line
            self.problem(at, rule, key, exc.message, exc.fix)
            return None
        for ctx in _sample_contexts(set(known)):
            try:
                rendered = render_bounded(template, ctx)
            except (TemplateError, SecurityError, TypeError, ValueError, OverflowError,
                    MemoryError, RecursionError) as exc:
                self.problem(
                    line,
                    rule,
                    key,
                    f"the template fails when filled in ({exc})",
                    "use only the documented variables and filters",
                )
                return None
            if folder:
                why = _escapes(rendered)
                if why:
                    self.problem(
                        line,
                        rule,
                        key,
                        f"the folder template {why}",
                        "write a folder relative to the matter folder, without '..'",
                    )
                    return None
            elif "/" in rendered or "\\" in rendered or rendered.strip() in {".", ".."}:
                self.problem(
                    line,
                    rule,
                    key,
                    f"the {key} template renders {rendered!r}, with a folder separator "
                    "or a dot name",
                    "put folders in the folder template; use - or _ here",
                )
                return None
        return template


def parse_rules(text: str, source: str = "rules.toml") -> RuleSet:
    """Validate rules text; raises RulesError listing every problem."""
    return _Loader(text, source).load()


def load_rules(path: Path) -> RuleSet:
    """Read and validate a rules file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesError(
            [
                RuleProblem(
                    str(path),
                    None,
                    None,
                    None,
                    f"cannot read the rules file ({exc.strerror or exc})",
                    "check that the file exists and is readable",
                )
            ]
        ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RulesError(
            [
                RuleProblem(
                    str(path),
                    line,
                    None,
                    None,
                    "the file is not UTF-8 text",
                    "save it as UTF-8 in your editor",
                )
            ]
        ) from exc
    return parse_rules(text, str(path))
