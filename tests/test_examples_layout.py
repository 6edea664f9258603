"""Static checks of the examples' layout that no Terraform command catches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHARED = EXAMPLES / "_modules"
# An example is a folder with .tf files of its own (what alblab.examples.list_examples() lists); _modules
# holds the local modules they share and is not one.
NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir() and any(p.glob("*.tf")))
REQUIRED = ("README.md", "main.tf", "variables.tf", "outputs.tf", "versions.tf")
SCAFFOLD_SOURCE = re.compile(r'module\s+"scaffold"\s*\{\s*source\s*=\s*"\.\./_modules/scaffold"')


def test_the_six_scenarios_exist() -> None:
    assert set(NAMES) >= {"basic", "path-routing", "multi-app", "hardening", "https", "complete"}


def test_every_folder_is_an_example_or_shared() -> None:
    others = [p.name for p in EXAMPLES.iterdir() if p.is_dir() and p.name not in NAMES]
    assert others == ["_modules"], f"folders that are neither an example nor _modules: {others}"
    assert not list(SHARED.glob("*.tf")), "_modules must hold modules only, or it is taken for an example"


@pytest.mark.parametrize("name", NAMES)
def test_example_has_standard_files_and_harness_contract(name: str) -> None:
    d = EXAMPLES / name
    missing = [f for f in REQUIRED if not (d / f).is_file()]
    assert not missing, f"examples/{name} lacks {missing}"
    variables = (d / "variables.tf").read_text()
    for var in ("name", "region", "ami_id"):
        assert re.search(rf'variable\s+"{var}"', variables), f"examples/{name}: variable {var!r} missing"
    outputs = (d / "outputs.tf").read_text()
    # One output holds what the harness reads, built by the shared module from the ALB and the instances.
    assert re.search(r'output\s+"summary"', outputs), f"examples/{name}: output 'summary' missing"
    assert re.search(r'source\s*=\s*"\.\./_modules/summary"', (d / "summary.tf").read_text()), name
    # Real-AWS-ready: nothing emulator-specific may live in the example itself.
    for tf in d.glob("*.tf"):
        text = tf.read_text()
        emulator_bits = [bit for bit in ("endpoints", "127.0.0.1", "localhost") if bit in text]
        assert not emulator_bits, f"{tf}: {emulator_bits} belong in the harness's override file"
    main = (d / "main.tf").read_text()
    assert re.search(r"enable_deletion_protection\s*=\s*false", main), f"examples/{name} must destroy cleanly"


@pytest.mark.parametrize("name", NAMES)
def test_example_builds_its_network_and_instances_from_the_scaffold(name: str) -> None:
    """One copy of the VPC, the instances and the demo app for all examples: none may grow its own again."""
    d = EXAMPLES / name
    text = "\n".join(tf.read_text() for tf in d.glob("*.tf"))
    assert SCAFFOLD_SOURCE.search(text), f"examples/{name} does not use ../_modules/scaffold"
    kinds = "aws_vpc|aws_subnet|aws_instance|aws_internet_gateway|aws_route_table"
    own = re.findall(rf'resource\s+"({kinds})"', text)
    assert not own, f"examples/{name} declares {own}: they belong in examples/_modules/scaffold"
    own_app = "templatefile(" in text or list(d.glob("*.tftpl"))
    assert not own_app, f"examples/{name} carries its own user_data"
    assert "security_group_ids.targets" in text, f"examples/{name}: the instances must carry the targets SG"


def test_one_user_data_template() -> None:
    # The data plane's stand-in backend imitates this one script: a second copy could drift from it.
    templates = sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.tftpl"))
    assert templates == ["_modules/scaffold/user_data.sh.tftpl"]
    scaffold = (SHARED / "scaffold" / "main.tf").read_text()
    assert 'templatefile("${path.module}/user_data.sh.tftpl"' in scaffold
