"""Static checks of the examples' layout that no Terraform command catches."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())
REQUIRED = ("README.md", "main.tf", "variables.tf", "outputs.tf", "versions.tf")


def test_the_six_scenarios_exist() -> None:
    assert set(NAMES) >= {"basic", "path-routing", "multi-app", "hardening", "https", "complete"}


@pytest.mark.parametrize("name", NAMES)
def test_example_has_standard_files_and_harness_contract(name: str) -> None:
    d = EXAMPLES / name
    missing = [f for f in REQUIRED if not (d / f).is_file()]
    assert not missing, f"examples/{name} lacks {missing}"
    variables = (d / "variables.tf").read_text()
    for var in ("name", "region", "ami_id"):
        assert re.search(rf'variable\s+"{var}"', variables), f"examples/{name}: variable {var!r} missing"
    outputs = (d / "outputs.tf").read_text()
    for out in ("alb_name", "dns_name", "instance_ids", "routes", "target_group_names"):
        assert re.search(rf'output\s+"{out}"', outputs), f"examples/{name}: output {out!r} missing"
    # Real-AWS-ready: nothing emulator-specific may live in the example itself.
    for tf in d.glob("*.tf"):
        text = tf.read_text()
        emulator_bits = [bit for bit in ("endpoints", "127.0.0.1", "localhost") if bit in text]
        assert not emulator_bits, f"{tf}: {emulator_bits} belong in the harness's override file"


def test_user_data_templates_are_one_file_in_six_places() -> None:
    # Each example is self-contained (copy one folder and it runs), so the app script is duplicated
    # on purpose; this keeps the copies from drifting apart.
    templates = EXAMPLES.glob("*/user_data.sh.tftpl")
    digests = {p.parent.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in templates}
    assert len(digests) == len(NAMES)
    assert len(set(digests.values())) == 1, f"user_data.sh.tftpl copies differ: {digests}"
