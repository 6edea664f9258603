"""``TerraformRunner.init`` skips a ``terraform init`` whose inputs are unchanged since its last success
(alblab.initstamp), and runs it whenever anything it reads changed: on a provider-less configuration with a
local module, counting the commands the launcher really started."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from alblab.terraform import TerraformError, TerraformRunner
from alblab.tfconfig import cli_config_env

ROOT = 'module "m" {\n  source = "./m"\n}\n\noutput "word" {\n  value = module.m.word\n}\n'
MODULE = 'output "word" {\n  value = "hello"\n}\n'
# A nested module call: plan fails with "Module not installed" unless init runs again.
NESTED = MODULE + '\nmodule "inner" {\n  source = "./inner"\n}\n'


@pytest.fixture
def work(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    (work / "m" / "inner").mkdir(parents=True)
    (work / "main.tf").write_text(ROOT)
    (work / "m" / "main.tf").write_text(MODULE)
    (work / "m" / "inner" / "main.tf").write_text("")
    return work


def runner_for(work: Path) -> tuple[TerraformRunner, Path]:
    log = work.parent / "commands.log"
    env = {**cli_config_env(work.parent / "tfrc"), "ALBLAB_TF_LOG": str(log)}
    return TerraformRunner(work, env), log


def inits(log: Path) -> int:
    return sum(line.startswith("init ") for line in log.read_text().splitlines()) if log.exists() else 0


def test_an_unchanged_copy_is_not_initialised_twice(work: Path) -> None:
    runner, log = runner_for(work)
    assert runner.init() is True
    assert runner.init() is False
    assert TerraformRunner(work, runner.env).init() is False  # a new runner (the next `alblab up`) too
    assert inits(log) == 1
    runner.plan(work / "p.tfplan")  # what the skipped init left is enough


def test_a_changed_module_is_initialised_again(work: Path) -> None:
    runner, log = runner_for(work)
    runner.init()
    (work / "m" / "main.tf").write_text(NESTED)
    assert runner.init() is True
    runner.plan(work / "p.tfplan")  # fails with "Module not installed" had the init been skipped
    assert inits(log) == 2


@pytest.mark.parametrize("change", ["data dir removed", "flags", "cli config"])
def test_what_init_reads_changing_makes_it_run(work: Path, change: str) -> None:
    runner, log = runner_for(work)
    runner.init()
    if change == "data dir removed":
        shutil.rmtree(work / ".terraform")
        assert runner.init() is True
    elif change == "flags":
        assert runner.init(backend=False) is True
    else:
        config = Path(runner.env["TF_CLI_CONFIG_FILE"])
        config.write_text(config.read_text() + "\n# changed\n")
        assert runner.init() is True
    assert inits(log) == 2


def test_a_failed_init_leaves_no_stamp(work: Path) -> None:
    runner, log = runner_for(work)
    runner.init()
    (work / "main.tf").write_text(ROOT.replace("./m", "./missing"))
    with pytest.raises(TerraformError):
        runner.init()
    with pytest.raises(TerraformError):  # tried again, not skipped
        runner.init()
    assert inits(log) == 3
