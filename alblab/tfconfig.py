"""Terraform CLI configuration: the machine's provider mirror when present, else the public registry."""

from __future__ import annotations

import os
import threading
from pathlib import Path

# Where machine images for this project keep a mirror of hashicorp/aws (ALBLAB_TF_MIRROR overrides).
MIRROR_CANDIDATES = (Path("/opt/tf-plugins"), Path("/usr/share/terraform/plugins"))


def find_mirror() -> Path | None:
    override = os.environ.get("ALBLAB_TF_MIRROR")
    candidates = (Path(override),) if override else MIRROR_CANDIDATES
    for path in candidates:
        if (path / "registry.terraform.io").is_dir():
            return path
    return None


def render_cli_config(mirror: Path | None) -> str:
    if mirror is None:
        # The normal registry; nothing to configure beyond an empty file.
        return "# alblab: no provider mirror found, using the public registry\n"
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/*/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n'
        "}\n"
    )


def cli_config_env(work_root: Path) -> dict[str, str]:
    """Write ``work_root/terraformrc`` and return the environment that points Terraform at it."""
    work_root.mkdir(parents=True, exist_ok=True)
    path = work_root / "terraformrc"
    text = render_cli_config(find_mirror())
    if not path.is_file() or path.read_text() != text:
        # Replaced, never rewritten in place: a Terraform starting in another thread meanwhile would read a
        # half-written file, find no mirror and go to the registry (offline: "no such host").
        tmp = path.with_name(f".terraformrc.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(text)
        os.replace(tmp, path)
    return {
        "TF_CLI_CONFIG_FILE": str(path),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }
