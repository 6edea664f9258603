#!/usr/bin/env python3
"""Write the Requirements, Providers, Modules, Resources, Inputs and Outputs tables of each Terraform module
into its README, and the tables of plan-time checks into docs/module.md (see plan_checks.py), between the
markers.

terraform-docs is not installable here, so this reads the .tf files with the scanner in hcl.py.

Usage: gen_tf_docs.py [--check] [ROOT]   (--check: exit 1 when a generated part is stale, write nothing)
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import plan_checks
from hcl import HEREDOC, HclError, skip_expression, top_level, top_level_attributes
from markers import splice

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
_BLOCK = re.compile(r'(variable|output)\s+"([^"]+)"\s*\{')
# Top-level blocks that are not inputs or outputs: what the module needs and what it creates.
_OTHER_BLOCK = re.compile(
    r'(?:(resource|data)\s+"([^"]+)"\s+"([^"]+)"|(module)\s+"([^"]+)"|(terraform))\s*\{'
)
_PROVIDER_ENTRY = re.compile(r"([A-Za-z0-9_-]+)\s*=\s*\{([^{}]*)\}")
_STRING_ATTR = r'{}\s*=\s*"([^"]*)"'
REGISTRY = "https://registry.terraform.io/providers/{source}/latest/docs/{kind}/{name}"


def blocks(src: str, kind: str) -> list[tuple[str, dict[str, str]]]:
    """(label, attributes) of every top-level `kind "label" { ... }` block, in file order."""
    found = top_level(src, _BLOCK)
    return [(m.group(2), top_level_attributes(body)) for m, body in found if m.group(1) == kind]


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    type: str
    default: str | None


@dataclass(frozen=True)
class Output:
    name: str
    description: str


@dataclass(frozen=True)
class Meta:
    """What the module requires (name -> version constraint), which providers it uses (name -> (source,
    version)), the modules it calls (name -> source) and the resources and data sources it declares."""

    requirements: dict[str, str]
    providers: dict[str, tuple[str, str]]
    modules: dict[str, str]
    resources: list[tuple[str, str, str]]  # (mode, type, name)


def _top_level_blocks(src: str) -> list[tuple[tuple[str, ...], str]]:
    """(labels, body) of every top-level resource, data, module and terraform block, in file order."""
    return [(tuple(g for g in m.groups() if g), body) for m, body in top_level(src, _OTHER_BLOCK)]


def read_meta(module_dir: Path) -> Meta:
    requirements: dict[str, str] = {}
    providers: dict[str, tuple[str, str]] = {}
    modules: dict[str, str] = {}
    resources: list[tuple[str, str, str]] = []
    for tf in sorted(module_dir.glob("*.tf")):
        for labels, body in _top_level_blocks(tf.read_text()):
            if labels[0] == "terraform":
                version = re.search(_STRING_ATTR.format("required_version"), body)
                if version:
                    requirements["terraform"] = version.group(1)
                block = re.search(r"required_providers\s*\{", body)
                if block:
                    inner = body[block.end() : skip_expression(body, block.end(), "}")]
                    for name, spec in _PROVIDER_ENTRY.findall(inner):
                        source = re.search(_STRING_ATTR.format("source"), spec)
                        constraint = re.search(_STRING_ATTR.format("version"), spec)
                        providers[name] = (
                            source.group(1) if source else f"hashicorp/{name}",
                            constraint.group(1) if constraint else "n/a",
                        )
                        requirements[name] = providers[name][1]
            elif labels[0] == "module":
                source = re.search(_STRING_ATTR.format("source"), body)
                modules[labels[1]] = source.group(1) if source else "n/a"
            else:
                resources.append((labels[0], labels[1], labels[2]))
    return Meta(requirements, providers, modules, sorted(resources, key=lambda r: (r[1], r[2], r[0])))


def _string_value(expr: str) -> str:
    """A quoted string or heredoc attribute as plain one-line text."""
    expr = expr.strip()
    m = HEREDOC.match(expr + "\n")
    if m:
        lines = expr[m.end() :].splitlines()[:-1]
        return " ".join(line.strip() for line in lines if line.strip())
    if expr.startswith('"') and expr.endswith('"'):
        return re.sub(r"\\(.)", r"\1", expr[1:-1])
    return expr


def read_module(module_dir: Path) -> tuple[list[Variable], list[Output]]:
    variables: list[Variable] = []
    outputs: list[Output] = []
    for tf in sorted(module_dir.glob("*.tf")):
        src = tf.read_text()
        for name, attrs in blocks(src, "variable"):
            variables.append(
                Variable(
                    name,
                    _string_value(attrs.get("description", '""')),
                    attrs.get("type", "any"),
                    attrs.get("default"),
                )
            )
        for name, attrs in blocks(src, "output"):
            outputs.append(Output(name, _string_value(attrs.get("description", '""'))))
    return sorted(variables, key=lambda v: v.name), sorted(outputs, key=lambda o: o.name)


def _code_cell(text: str) -> str:
    """Inline code for one-liners; a collapsible <pre> for multi-line types and defaults."""
    lines = text.splitlines()
    if len(lines) == 1:
        return "`" + text.replace("|", "\\|") + "`"
    head = re.sub(r"\s+", " ", lines[0]).strip()
    summary = html.escape(head + " ... " + lines[-1].strip())
    body = "<br>".join(html.escape(line).replace("|", "&#124;") for line in lines)
    return f"<details><summary><code>{summary}</code></summary><pre>{body}</pre></details>"


def _text_cell(text: str) -> str:
    # Escaped, or "<listener_key>" would be read as an HTML tag and vanish.
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _resource_link(mode: str, rtype: str, name: str, providers: dict[str, tuple[str, str]]) -> str:
    provider = rtype.split("_", 1)[0]
    label = f"{'data.' if mode == 'data' else ''}{rtype}.{name}"
    if provider not in providers or "_" not in rtype:
        return f"`{label}`"
    url = REGISTRY.format(
        source=providers[provider][0],
        kind="data-sources" if mode == "data" else "resources",
        name=rtype.split("_", 1)[1],
    )
    return f"[{label}]({url})"


def render_meta(meta: Meta) -> list[str]:
    out = ["## Requirements", ""]
    if meta.requirements:
        out += ["| Name | Version |", "|---|---|"]
        out += [f"| {name} | `{version}` |" for name, version in meta.requirements.items()]
    else:
        out.append("No requirements.")
    out += ["", "## Providers", ""]
    if meta.providers:
        out += ["| Name | Source | Version |", "|---|---|---|"]
        out += [f"| {n} | `{src}` | `{v}` |" for n, (src, v) in sorted(meta.providers.items())]
    else:
        out.append("No providers.")
    if meta.modules:
        out += ["", "## Modules", "", "| Name | Source |", "|---|---|"]
        out += [f"| `{name}` | `{source}` |" for name, source in sorted(meta.modules.items())]
    out += ["", "## Resources", ""]
    if meta.resources:
        out += ["| Name | Type |", "|---|---|"]
        for mode, rtype, name in meta.resources:
            kind = "data source" if mode == "data" else "resource"
            out.append(f"| {_resource_link(mode, rtype, name, meta.providers)} | {kind} |")
    else:
        out.append("No resources.")
    return [*out, ""]


def render(variables: list[Variable], outputs: list[Output], meta: Meta | None = None) -> str:
    out = render_meta(meta) if meta is not None else []
    out += ["## Inputs", ""]
    if variables:
        out += ["| Name | Description | Type | Default | Required |", "|---|---|---|---|:---:|"]
        for v in variables:
            default = "n/a" if v.default is None else _code_cell(v.default)
            required = "yes" if v.default is None else "no"
            out.append(
                f'| <a name="input_{v.name}"></a>`{v.name}` | {_text_cell(v.description)} '
                f"| {_code_cell(v.type)} | {default} | {required} |"
            )
    else:
        out.append("No inputs.")
    out += ["", "## Outputs", ""]
    if outputs:
        out += ["| Name | Description |", "|---|---|"]
        out += [
            f'| <a name="output_{o.name}"></a>`{o.name}` | {_text_cell(o.description)} |' for o in outputs
        ]
    else:
        out.append("No outputs.")
    return "\n".join(out) + "\n"


def module_dirs(root: Path) -> list[Path]:
    subs = sorted(p for p in (root / "modules").glob("*") if (p / "variables.tf").exists())
    return [root, *subs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a generated part is stale; write nothing"
    )
    parser.add_argument("root", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)

    stale: list[str] = []
    for module in module_dirs(args.root):
        readme = module / "README.md"
        try:
            section = render(*read_module(module), read_meta(module))
            # A missing README gets just the markers; prose is written around them by hand.
            current = readme.read_text() if readme.exists() else ""
            wanted = splice(current or f"{BEGIN}\n{END}\n", section, BEGIN, END)
        except HclError as exc:
            print(f"{readme}: {exc}", file=sys.stderr)
            return 1
        if wanted == current:
            continue
        stale.append(str(readme))
        if not args.check:
            readme.write_text(wanted)
            print(f"updated {readme}")
    checks_doc = args.root / "docs" / "module.md"
    if checks_doc.is_file():
        try:
            checks = plan_checks.load(args.root / plan_checks.MAPPING)
            models = plan_checks.load_models(checks.operations)
            current = checks_doc.read_text()
            section = plan_checks.render(args.root, checks, models)
            wanted = splice(current, section, plan_checks.BEGIN, plan_checks.END)
        except (HclError, KeyError) as exc:
            print(f"{checks_doc}: {exc}", file=sys.stderr)
            return 1
        if wanted != current:
            stale.append(str(checks_doc))
            if not args.check:
                checks_doc.write_text(wanted)
                print(f"updated {checks_doc}")
    if args.check and stale:
        print("stale (run scripts/gen_tf_docs.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
