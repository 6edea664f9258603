"""The README's usage snippet must work when copied: it is validated against the module in this tree."""

from __future__ import annotations

import re
from pathlib import Path

from alblab.sources import REPO_ROOT
from alblab.terraform import TerraformRunner
from alblab.tfconfig import cli_config_env

SNIPPET_SOURCE = 'source = "./terraform-aws-alb"'


def usage_snippet() -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    usage = readme[readme.index("## Usage") :]
    match = re.search(r"```hcl\n(.*?)```", usage, re.S)
    assert match, "README.md: no ```hcl block under ## Usage"
    return match.group(1)


def test_usage_snippet_validates_against_this_module(tmp_path: Path) -> None:
    snippet = usage_snippet()
    assert SNIPPET_SOURCE in snippet, "the snippet's module source changed: update this test's stand-in clone"
    config = tmp_path / "consumer"
    config.mkdir()
    # Stand in for the user's clone beside their configuration, exactly as the snippet's comment says.
    (config / "terraform-aws-alb").symlink_to(REPO_ROOT, target_is_directory=True)
    (config / "main.tf").write_text(snippet)
    runner = TerraformRunner(config, cli_config_env(tmp_path))
    runner.init(backend=False)
    result = runner.validate()
    assert result.get("valid") is True, result.get("diagnostics")
    assert result.get("warning_count") == 0, result.get("diagnostics")
