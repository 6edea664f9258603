"""The module's plan-time checks held against the AWS API models: which constrained API members the module's
operations reach, which check covers each (or why none does), whether each check named is in the module's
source, and the table docs/module.md shows.

The mapping is docs/module-checks.toml (its header says what every key means); the models are the ones
botocore ships. ``problems`` is the derivation: an empty list means every constrained member and every module
input is accounted for and every check exists; ``case_problems`` holds the checks against what a plan of the
bad-input cases reported.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore
import botocore.session
from botocore.model import ServiceModel, Shape
from hcl import skip_expression, top_level, top_level_attributes

MAPPING = Path("docs") / "module-checks.toml"
CASES = Path("tests") / "bad_input"
BEGIN = "<!-- BEGIN_PLAN_CHECKS -->"
END = "<!-- END_PLAN_CHECKS -->"

# The tables, in order: section key -> heading.
SECTIONS = {
    "root": "Load balancer (root module)",
    "security-groups": "Security groups (`modules/security-groups`, root `security_groups`)",
    "target-group": "Target groups (`modules/target-group`, root `target_groups[*]`)",
    "listener": "Listeners (`modules/listener`, root `listeners[*]`)",
    "listener-rules": (
        "Rules and actions (`modules/listener-rules`, root `listeners[*].rules` and `default_action`)"
    ),
}
HANDLING = {
    "module": "set by the module",
    "not-sent": "not sent",
    "aws": "left to AWS",
}
# How an input no check names is handled ([[input]] in the mapping).
INPUT_HANDLING = {
    "passed": "passed on unchanged",
    "switch": "a bool",
    "wiring": "from the caller, read by checks only",
    "aws": "left to AWS",
}
_BLOCK = re.compile(r'(variable|output|resource)\s+"([^"]+)"(?:\s+"([^"]+)")?\s*\{')
_ERROR_MESSAGE = re.compile(r"\berror_message\s*=")


@dataclass(frozen=True)
class Bounds:
    """What a model says of a member's values: length or value range, pattern, allowed values."""

    kind: str  # the shape's type: string, integer, list, ...
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.min is not None or self.max is not None or self.pattern is not None or bool(self.enum)

    def text(self) -> str:
        """The constraint as the docs table shows it."""
        parts = []
        if self.min is not None or self.max is not None:
            what = {"string": "length ", "list": "items "}.get(self.kind, "")
            if self.min is not None and self.max is not None:
                dash = " to " if self.min < 0 else "-"
                parts.append(f"{what}{self.min}{dash}{self.max}")
            else:
                parts.append(f"{what}≥ {self.min}" if self.min is not None else f"{what}≤ {self.max}")
        if self.pattern is not None:
            parts.append(f"pattern `{self.pattern}`")
        if self.enum:
            shown = ", ".join(f"`{v}`" for v in self.enum[:6])
            parts.append(f"one of {shown}" + (f" ({len(self.enum)} in all)" if len(self.enum) > 6 else ""))
        return "; ".join(parts).replace("|", "\\|")


@dataclass(frozen=True)
class Check:
    section: str
    fields: tuple[str, ...]
    constraint: str
    source: str
    module: str
    block: str
    rule: str
    cases: tuple[str, ...]
    note: str = ""
    api: tuple[str, ...] = ()
    stricter: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{', '.join(self.fields)} ({self.module} {self.block}: {self.rule!r})"


@dataclass(frozen=True)
class ApiRule:
    members: tuple[str, ...]
    handling: str
    reason: str

    def matches(self, member: str) -> bool:
        return any(member == m or (m.endswith(".*") and member.startswith(m[:-1])) for m in self.members)


@dataclass(frozen=True)
class InputRule:
    """Inputs of each of ``modules`` that no check names, and why none needs to."""

    modules: tuple[str, ...]
    names: tuple[str, ...]
    handling: str
    reason: str
    to: str = ""


@dataclass(frozen=True)
class Unchecked:
    title: str
    text: str


@dataclass(frozen=True)
class Checks:
    operations: Mapping[str, tuple[str, ...]]
    checks: tuple[Check, ...]
    api_rules: tuple[ApiRule, ...]
    unchecked: tuple[Unchecked, ...]
    inputs: tuple[InputRule, ...] = ()


def load(path: Path) -> Checks:
    data: dict[str, Any] = tomllib.loads(path.read_text())
    return Checks(
        operations={svc: tuple(ops) for svc, ops in data["operations"].items()},
        checks=tuple(
            Check(
                section=c["section"],
                fields=tuple(c["fields"]),
                constraint=c["constraint"],
                source=c["source"],
                module=c["module"],
                block=c["block"],
                rule=c["rule"],
                cases=tuple(c["cases"]),
                note=c.get("note", ""),
                api=tuple(c.get("api", ())),
                stricter=dict(c.get("stricter", {})),
            )
            for c in data["check"]
        ),
        api_rules=tuple(ApiRule(tuple(a["members"]), a["handling"], a["reason"]) for a in data["api"]),
        unchecked=tuple(Unchecked(u["title"], u["text"]) for u in data["unchecked"]),
        inputs=tuple(
            InputRule(tuple(i["modules"]), tuple(i["names"]), i["handling"], i["reason"], i.get("to", ""))
            for i in data.get("input", [])
        ),
    )


# --- the models ---------------------------------------------------------------------------------------------


@functools.cache
def _model(service: str) -> ServiceModel:
    # Parsing a model takes a good part of a second (EC2's is large): once per process.
    return botocore.session.get_session().get_service_model(service)


def load_models(services: Iterable[str]) -> dict[str, ServiceModel]:
    return {svc: _model(svc) for svc in services}


def bounds(shape: Shape) -> Bounds:
    meta = shape.metadata
    enum = tuple(getattr(shape, "enum", ()) or ())
    return Bounds(shape.type_name, meta.get("min"), meta.get("max"), meta.get("pattern"), enum)


def reachable(
    models: Mapping[str, ServiceModel], operations: Mapping[str, Iterable[str]]
) -> dict[str, Bounds]:
    """Every constrained member the operations' inputs contain, as ``service:Shape.Member`` (``Member[]`` for
    a list's elements), with its bounds. Shapes repeat across operations: each is walked once."""
    found: dict[str, Bounds] = {}
    for svc, ops in operations.items():
        seen: set[str] = set()
        stack = [models[svc].operation_model(op).input_shape for op in ops]
        while stack:
            shape = stack.pop()
            if shape is None or shape.name in seen:
                continue
            seen.add(shape.name)
            if shape.type_name == "structure":
                for name, member in shape.members.items():
                    if b := bounds(member):
                        found[f"{svc}:{shape.name}.{name}"] = b
                    elements = member.member if member.type_name == "list" else None
                    if elements is not None and elements.type_name != "structure" and (b := bounds(elements)):
                        found[f"{svc}:{shape.name}.{name}[]"] = b
                    stack.append(member)
            elif shape.type_name == "list":
                stack.append(shape.member)
            elif shape.type_name == "map":
                stack.extend([shape.key, shape.value])
    return found


def member_bounds(models: Mapping[str, ServiceModel], member: str) -> Bounds:
    """The bounds of ``service:Shape.Member`` (``Member[]``: of its elements); KeyError when there is none."""
    svc, _, path = member.partition(":")
    shape_name, _, name = path.partition(".")
    if svc not in models:
        raise KeyError(f"{member}: no model for service {svc!r}")
    try:
        shape = models[svc].shape_for(shape_name)
    except Exception as exc:  # botocore raises its own NoShapeFoundError
        raise KeyError(f"{member}: the {svc} model has no shape {shape_name}") from exc
    elements = name.endswith("[]")
    name = name.removesuffix("[]")
    if name == "*":
        return Bounds(shape.type_name)
    if shape.type_name != "structure" or name not in shape.members:
        raise KeyError(f"{member}: {svc} shape {shape_name} has no member {name}")
    target = shape.members[name]
    return bounds(target.member if elements else target)


# --- the module's source ------------------------------------------------------------------------------------


def module_dir(root: Path, module: str) -> Path:
    return root if module == "root" else root / module


def modules(root: Path) -> list[str]:
    """The root module and the submodules, as checks name them (``root``, ``modules/<name>``)."""
    return ["root", *(f"modules/{d.name}" for d in sorted((root / "modules").glob("*")) if d.is_dir())]


def section_of(module: str) -> str:
    """The table a module's own inputs belong to (its fields are written as that module takes them)."""
    return module.removeprefix("modules/")


def variable_types(directory: Path) -> dict[str, str]:
    """Input name -> its ``type`` expression (``any`` when unset), in the module at ``directory``."""
    found = {}
    for tf in sorted(directory.glob("*.tf")):
        for m, body in top_level(tf.read_text(), _BLOCK):
            if m.group(1) == "variable":
                found[m.group(2)] = top_level_attributes(body).get("type", "any").strip()
    return found


def error_messages(directory: Path) -> dict[str, list[str]]:
    """block (``var.x``, ``output.x``, ``resource.t.x``) -> the text of each error_message in it, HCL escapes
    undone, in the module at ``directory``."""
    found: dict[str, list[str]] = {}
    for tf in sorted(directory.glob("*.tf")):
        for m, body in top_level(tf.read_text(), _BLOCK):
            kind, first, second = m.groups()
            block = {"variable": f"var.{first}", "output": f"output.{first}"}.get(
                kind, f"resource.{first}.{second}"
            )
            for em in _ERROR_MESSAGE.finditer(body):
                expr = body[em.end() : skip_expression(body, em.end(), "\n", stop_at_newline=True)]
                text = re.sub(r"\\(.)", r"\1", expr).replace("%%", "%")
                found.setdefault(block, []).append(text)
    return found


# --- the derivation -----------------------------------------------------------------------------------------


def _states_bounds(check: Check, member: str, b: Bounds) -> bool:
    """Whether the check's constraint states the model's bounds of ``member`` (or `stricter` says why it
    implies them)."""
    if member in check.stricter:
        return True
    numbers = [n for n in (b.min, b.max) if n]  # a minimum of 0 needs no saying
    if any(not re.search(rf"(?<![0-9]){n}(?![0-9])", check.constraint) for n in numbers):
        return False
    return not b.enum or any(
        re.search(rf"(?<![A-Za-z0-9_]){re.escape(v)}(?![A-Za-z0-9_])", check.constraint) for v in b.enum
    )


def problems(root: Path, checks: Checks, models: Mapping[str, ServiceModel]) -> list[str]:
    """What keeps the mapping from covering the models and the module's source; empty when nothing does."""
    found: list[str] = []
    members = reachable(models, checks.operations)

    # Every member named must exist, and every constrained one checked must have its bounds stated.
    for check in checks.checks:
        for member in (*check.api, *check.stricter):
            try:
                b = member_bounds(models, member)
            except KeyError as exc:
                found.append(f"{check.label}: {exc.args[0]}")
                continue
            if member not in check.api:
                found.append(f"{check.label}: stricter names {member}, which is not in its api")
            elif b and not _states_bounds(check, member, b):
                found.append(
                    f"{check.label}: the constraint does not state the model's bounds of {member} "
                    f"({b.text()}); state them or say in `stricter` why the check implies them"
                )
    for rule in checks.api_rules:
        if rule.handling not in HANDLING:
            found.append(f"[[api]] {rule.members}: handling must be one of {', '.join(HANDLING)}")
        for member in rule.members:
            try:
                member_bounds(models, member)
            except KeyError as exc:
                found.append(f"[[api]] {exc.args[0]}")
            if not any(ApiRule((member,), rule.handling, rule.reason).matches(m) for m in members):
                found.append(
                    f"[[api]] {member}: the module's operations reach no constrained member it names"
                )

    # Every constrained member the operations reach: covered by a check or given a reason, not both.
    checked = {m for c in checks.checks for m in c.api}
    for member, b in sorted(members.items()):
        found += _accounted_for(
            member in checked,
            any(r.matches(member) for r in checks.api_rules),
            f"{member} ({b.text()}) is reached by the module's operations, but no check covers it and "
            f"{MAPPING} gives no reason",
            f"{member} is both covered by a check and given a reason in [[api]]",
        )

    # Every check named is in the module's source, with its cases; every check in the source is named.
    sources = {m: error_messages(module_dir(root, m)) for m in {c.module for c in checks.checks}}
    for check in checks.checks:
        if check.section not in SECTIONS:
            found.append(f"{check.label}: section must be one of {', '.join(SECTIONS)}")
        messages = sources[check.module].get(check.block, [])
        if not any(check.rule in text for text in messages):
            found.append(f"{check.label}: no such check in {check.module} {check.block}")
        for case in check.cases:
            if not (root / CASES / f"case_{case}.tf").is_file():
                found.append(f"{check.label}: {CASES}/case_{case}.tf does not exist")
        if not check.cases:
            found.append(f"{check.label}: no bad-input case proves it")
    for module in modules(root):
        for block, texts in error_messages(module_dir(root, module)).items():
            named = [c.rule for c in checks.checks if c.module == module and c.block == block]
            for text in texts:
                if not any(rule in text for rule in named):
                    found.append(f"{module} {block}: a check {MAPPING} does not list: {text[:100]}")
    return found + input_problems(root, checks)


def _field_head(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def input_problems(root: Path, checks: Checks) -> list[str]:
    """Every input of every module is named by a check of its module's table (the first part of a field path)
    or given a reason in [[input]], not both; every [[input]] names inputs that exist and holds what its
    handling promises."""
    found: list[str] = []
    types = {m: variable_types(module_dir(root, m)) for m in modules(root)}
    for rule in checks.inputs:
        for module in rule.modules:
            where = f"[[input]] {module} {', '.join(rule.names)}"
            if module not in types:
                found.append(f"{where}: no such module")
                continue
            if rule.handling not in INPUT_HANDLING:
                found.append(f"{where}: handling must be one of {', '.join(INPUT_HANDLING)}")
            if (rule.handling == "passed") != bool(rule.to):
                found.append(f"{where}: `to` names the module a passed input goes to, and only then")
            for name in rule.names:
                if name not in types[module]:
                    found.append(f"{where}: {module} has no input {name}")
                elif rule.handling == "switch" and types[module][name] != "bool":
                    found.append(f"{where}: {name} is a switch, but its type is {types[module][name]}")
                elif rule.handling == "passed" and name not in types.get(rule.to, {}):
                    found.append(f"{where}: {rule.to} has no input {name} to take it")
    for module, names in types.items():
        named = {_field_head(f) for c in checks.checks if c.section == section_of(module) for f in c.fields}
        for name in names:
            found += _accounted_for(
                name in named,
                any(module in r.modules and name in r.names for r in checks.inputs),
                f"{module} var.{name}: no check of the {section_of(module)} table names this input and "
                f"{MAPPING} gives no reason in [[input]]",
                f"{module} var.{name}: both named by a check and given a reason in [[input]]",
            )
    return found


def _accounted_for(covered: bool, ruled: bool, missing: str, both: str) -> list[str]:
    """A member or input is covered by a check or given a reason, not both: the message of what is wrong."""
    if covered == ruled:
        return [both if covered else missing]
    return []


def field_pattern(path: str) -> re.Pattern[str]:
    """A field path as the caller writes it, ``[*]`` standing for any key or index."""
    return re.compile(re.escape(path).replace(r"\[\*\]", r"\[[^\]]*\]"))


def case_problems(checks: Checks, errors: Mapping[str, list[str]]) -> list[str]:
    """Each check must be reported by each of its cases, naming one of its fields. ``errors``: case number ->
    the text of each error its plan reported."""
    found = []
    for check in checks.checks:
        patterns = [field_pattern(f) for f in check.fields]
        for case in check.cases:
            texts = [t for t in errors.get(case, []) if check.rule in t]
            if not texts:
                found.append(f"case_{case}: no error with the rule of {check.label}")
            elif not any(p.search(t) for t in texts for p in patterns):
                found.append(f"case_{case}: the error of {check.label} names none of its fields")
    return found


# --- the table ----------------------------------------------------------------------------------------------


def _checked_in(check: Check) -> str:
    kind, _, name = check.block.partition(".")
    where = {"var": f"`var.{name}`", "output": f"`output.{name}` precondition"}.get(kind)
    where = where or f"`{name}` precondition"
    module = check.module.removeprefix("modules/")
    return where if module == check.section else f"{module} {where}"


def _field_cell(check: Check) -> str:
    cell = ", ".join(f"`{f}`" for f in check.fields)
    return f"{cell} {check.note}" if check.note else cell


def render(root: Path, checks: Checks, models: Mapping[str, ServiceModel]) -> str:
    """The generated part of docs/module.md's "What is checked at plan"."""
    versions = ", ".join(f"{svc} {models[svc].api_version}" for svc in checks.operations)
    out = [
        f"Generated from [`{MAPPING.name}`]({MAPPING.name}) and the AWS API models botocore "
        f"{botocore.__version__} ships ({versions}) by `scripts/gen_tf_docs.py`: edit those, not this "
        "section.",
        "",
    ]
    for section, heading in SECTIONS.items():
        out += [
            f"### {heading}",
            "",
            "| Field | Constraint | Source | Checked in | Case |",
            "|---|---|---|---|---|",
        ]
        for c in checks.checks:
            if c.section == section:
                cases = ", ".join(c.cases)
                out.append(f"| {_field_cell(c)} | {c.constraint} | {c.source} | {_checked_in(c)} | {cases} |")
        out.append("")

    counts = {}
    for module in modules(root):
        name = "the root module" if module == "root" else section_of(module)
        counts[name] = sum(len(t) for t in error_messages(module_dir(root, module)).values())
    per_module = ", ".join(f"{n} in {name}" for name, n in counts.items())
    out += [
        f"{len(checks.checks)} constraints in {sum(counts.values())} checks ({per_module}); the suite's "
        "`test_every_validation_rule_is_exercised` fails when a check has no case, and "
        "`test_every_mapped_check_is_reported_by_its_cases` when a case does not report the check listed "
        "here.",
        "",
        "### API members the module reaches",
        "",
        "Every member with a length, range, pattern or list of values in the models of the operations the "
        "module calls, and what covers it. `tests/test_api_constraints.py` fails when one is missing here, "
        "when a check listed above is not in the module's source, or when a row above does not state the "
        "model's bounds.",
        "",
        "| Member | Model | Covered by |",
        "|---|---|---|",
    ]
    for member, b in sorted(reachable(models, checks.operations).items()):
        covering = [c for c in checks.checks if member in c.api]
        if covering:
            ways = [
                f"{_field_cell(c)} ({c.module.removeprefix('modules/')})"
                + (f": {c.stricter[member]}" if member in c.stricter else "")
                for c in covering
            ]
            how = "; ".join(dict.fromkeys(ways))
        else:
            how = "; ".join(
                f"{HANDLING[r.handling]}: {r.reason}" for r in checks.api_rules if r.matches(member)
            )
        out.append(f"| `{member}` | {b.text()} | {how} |")
    out += [
        "",
        "### Inputs no check names",
        "",
        "Every input of every module is named by a check above (in the table of the module that takes it) or "
        "listed here with the reason it needs none. `tests/test_api_constraints.py` fails when an input is "
        "neither, so an input added later is checked or given its reason here.",
        "",
        "| Inputs | Module | Handling | Why no check |",
        "|---|---|---|---|",
    ]
    for rule in checks.inputs:
        names = ", ".join(f"`{n}`" for n in rule.names)
        where = ", ".join(section_of(m) for m in rule.modules)
        how = INPUT_HANDLING[rule.handling] + (f" to {section_of(rule.to)}" if rule.to else "")
        out.append(f"| {names} | {where} | {how} | {rule.reason} |")
    out += ["", "### Checked later, or not at all", ""]
    out += [f"- **{u.title}**{'' if u.text.startswith(',') else ' '}{u.text}" for u in checks.unchecked]
    return "\n".join(out) + "\n"
