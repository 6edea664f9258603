"""scripts/gen_tf_docs.py: the HCL scanner, the tables, and --check on stale READMEs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from script_modules import load

REPO = Path(__file__).resolve().parents[2]
gen = load("gen_tf_docs")

# Braces and quotes inside strings, interpolations, heredocs and comments must not end a block early.
TRICKY = r"""
# variable "commented" { }
variable "rules" {
  description = <<-EOT
    Rules keyed by name. A "}" here is text.
    Second line.
  EOT
  type = map(object({
    priority = number # } not the end
    action   = optional(object({ forward = optional(string) }), {})
  }))
  default = {}

  validation {
    condition     = alltrue([for r in values(var.rules) : r.priority > 0])
    error_message = "B: ${join(",", [for k, r in var.r : "r[\"${k}\"]=${r.priority == null ? "}" : 1}"])}."
  }
}

/* variable "block_comment" { } */
variable "name" {
  type        = string
  description = "Name with \"quotes\" and a | pipe."
}

output "arn" {
  description = "The ARN."
  value       = { for k, v in var.rules : k => "${v.priority}" }
}
"""


def test_scanner_reads_tricky_hcl(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text(TRICKY)
    variables, outputs = gen.read_module(tmp_path)
    assert [v.name for v in variables] == ["name", "rules"]
    rules = variables[1]
    assert rules.description == 'Rules keyed by name. A "}" here is text. Second line.'
    assert rules.type.startswith("map(object({") and rules.type.endswith("}))")
    assert "priority = number # } not the end" in rules.type
    assert rules.default == "{}"
    assert variables[0].default is None
    assert variables[0].description == 'Name with "quotes" and a | pipe.'
    assert [(o.name, o.description) for o in outputs] == [("arn", "The ARN.")]


def test_render_escapes_and_marks_required(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text(TRICKY)
    table = gen.render(*gen.read_module(tmp_path))
    name_row = next(line for line in table.splitlines() if "`name`" in line)
    assert name_row.endswith("| `string` | n/a | yes |")
    assert "a \\| pipe" in name_row
    assert "<details><summary><code>map(object({ ... }))</code></summary><pre>" in table


def test_unbalanced_input_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "x" {\n  type = list(string\n')
    with pytest.raises(gen.HclError):
        gen.read_module(tmp_path)


def test_every_declared_variable_and_output_is_documented() -> None:
    for module in gen.module_dirs(REPO):
        declared_vars = set(re.findall(r'^variable "([^"]+)"', (module / "variables.tf").read_text(), re.M))
        declared_outs = set(re.findall(r'^output "([^"]+)"', (module / "outputs.tf").read_text(), re.M))
        variables, outputs = gen.read_module(module)
        assert {v.name for v in variables} == declared_vars, module
        assert {o.name for o in outputs} == declared_outs, module


def test_check_flags_a_stale_readme_and_write_fixes_it(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".*", "examples", "tests", "lab", "alblab*"))
    assert gen.main(["--check", str(root)]) == 0, (
        "the committed READMEs or docs/module.md are stale: run scripts/gen_tf_docs.py"
    )

    # The table of plan-time checks follows docs/module-checks.toml.
    mapping = root / "docs" / "module-checks.toml"
    mapping.write_text(
        mapping.read_text().replace('constraint = "integer 1-50000"', 'constraint = "integer 1-50000 (x)"')
    )
    assert gen.main(["--check", str(root)]) == 1
    assert gen.main([str(root)]) == 0
    assert "| integer 1-50000 (x) |" in (root / "docs" / "module.md").read_text()

    variables = root / "modules" / "target-group" / "variables.tf"
    variables.write_text(
        variables.read_text()
        + '\nvariable "added" {\n  description = "New."\n  type = bool\n  default = true\n}\n'
    )
    assert gen.main(["--check", str(root)]) == 1
    assert gen.main([str(root)]) == 0
    readme = (root / "modules" / "target-group" / "README.md").read_text()
    assert '<a name="input_added"></a>`added` | New. | `bool` | `true` | no |' in readme
    assert gen.main(["--check", str(root)]) == 0


def test_readme_without_markers_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "x" {\n  type = string\n}\n')
    (tmp_path / "outputs.tf").write_text("")
    (tmp_path / "README.md").write_text("# no markers\n")
    assert gen.main([str(tmp_path)]) == 1


META = r"""
terraform {
  required_version = ">= 1.9"

  required_providers {
    # a comment with { braces }
    aws = { source = "hashicorp/aws", version = ">= 5.32" }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.0"
    }
  }
}

# resource "aws_commented" "out" {}
resource "aws_lb" "this" {
  name = "x"
  dynamic "access_logs" {
    for_each = []
    content {}
  }
}

data "aws_vpc" "selected" {
  id = "vpc-1"
}

resource "terraform_data" "checks" {}

module "rules" {
  source = "./modules/listener-rules"
}
"""


def test_meta_tables(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(META)
    meta = gen.read_meta(tmp_path)
    assert meta.requirements == {"terraform": ">= 1.9", "aws": ">= 5.32", "random": "~> 3.0"}
    assert meta.providers["random"] == ("hashicorp/random", "~> 3.0")
    assert meta.modules == {"rules": "./modules/listener-rules"}
    assert meta.resources == [
        ("resource", "aws_lb", "this"),
        ("data", "aws_vpc", "selected"),
        ("resource", "terraform_data", "checks"),
    ]
    table = gen.render([], [], meta)
    assert "| terraform | `>= 1.9` |" in table
    assert (
        "| [aws_lb.this](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lb)"
        " | resource |"
    ) in table
    assert (
        "[data.aws_vpc.selected](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/vpc)"
        in table
    )
    assert "| `terraform_data.checks` | resource |" in table
    assert table.index("## Requirements") < table.index("## Resources") < table.index("## Inputs")


def test_every_module_readme_has_requirements_and_resources() -> None:
    for module in gen.module_dirs(REPO):
        readme = (module / "README.md").read_text()
        for heading in ("## Requirements", "## Providers", "## Resources", "## Inputs", "## Outputs"):
            assert heading in readme, f"{module}/README.md lacks {heading}"
