"""The life cycle's pieces without Terraform: sources, records, the ALB found in a state, the CLI's
messages for everything a user can get wrong before anything starts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from alblab import cli, records, tfstate
from alblab.errors import StateError, UsageError
from alblab.session import Session, unique_name
from alblab.sources import EXAMPLES_DIR, check_var_files, parse_var, resolve_source


def test_an_example_is_one_source_however_it_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES_DIR.parent)
    assert resolve_source("basic") == resolve_source("examples/basic") == (EXAMPLES_DIR / "basic").resolve()


def test_source_mistakes_are_messages(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="did you mean the example 'basic'"):
        resolve_source("basci")
    with pytest.raises(UsageError, match="no such directory"):
        resolve_source(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=r"no \.tf files"):
        resolve_source(tmp_path / "empty")
    (tmp_path / "file.tf").write_text("")
    with pytest.raises(UsageError, match="not a directory"):
        resolve_source(tmp_path / "file.tf")


def test_variables_and_var_files(tmp_path: Path) -> None:
    assert parse_var("name=shop") == ("name", "shop")
    assert parse_var("tags={a=1}") == ("tags", "{a=1}")
    with pytest.raises(UsageError, match="NAME=VALUE"):
        parse_var("novalue")
    with pytest.raises(UsageError, match="no such file"):
        check_var_files([str(tmp_path / "x.tfvars")])
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(UsageError, match="tfvars"):
        check_var_files([str(tmp_path / "x.txt")])


def lb(address: str, name: str, kind: str = "application") -> dict[str, object]:
    return {
        "address": address,
        "mode": "managed",
        "type": "aws_lb",
        "values": {"name": name, "arn": f"arn:{name}", "dns_name": f"{name}.elb", "load_balancer_type": kind},
    }


RESOURCES = [
    lb("aws_lb.public", "pub"),
    lb("aws_lb.nlb", "net", kind="network"),
    lb("module.alb.aws_lb.this", "inner"),
]


def test_resources_are_read_from_the_state_file_child_modules_included(tmp_path: Path) -> None:
    state = {
        "version": 4,
        "resources": [
            {
                "mode": "managed",
                "type": "aws_lb",
                "name": "public",
                "instances": [{"attributes": {"name": "pub"}}],
            },
            {"mode": "data", "type": "aws_ami", "name": "x", "instances": [{"attributes": {}}]},
            {
                "module": "module.alb",
                "mode": "managed",
                "type": "aws_lb_target_group",
                "name": "this",
                "instances": [{"index_key": "web", "attributes": {}}, {"index_key": 0, "attributes": {}}],
            },
        ],
    }
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state))
    found = tfstate.resources_in_state_file(tmp_path / "terraform.tfstate")
    assert [r["address"] for r in found] == [
        "aws_lb.public",
        'module.alb.aws_lb_target_group.this["web"]',
        "module.alb.aws_lb_target_group.this[0]",
    ]
    assert tfstate.resources_in_state_file(tmp_path / "missing.tfstate") == []


def test_tainted_load_balancers_are_found_in_the_state_file(tmp_path: Path) -> None:
    """Terraform marks an instance ``"status": "tainted"`` when its create did not finish (an apply stopped
    in the ALB's waiter): those ALBs, and nothing else, are the ones a next apply would replace."""
    state = {
        "version": 4,
        "resources": [
            {
                "module": "module.alb",
                "mode": "managed",
                "type": "aws_lb",
                "name": "this",
                "instances": [{"status": "tainted", "attributes": {"arn": "arn:lb/app/a/1"}}],
            },
            {
                "mode": "managed",
                "type": "aws_lb",
                "name": "fine",
                "instances": [{"attributes": {"arn": "arn:lb/app/b/2"}}],
            },
            {
                "mode": "managed",
                "type": "aws_instance",
                "name": "web",
                "instances": [{"index_key": "a", "status": "tainted", "attributes": {"id": "i-1"}}],
            },
        ],
    }
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state))
    found = tfstate.resources_in_state_file(tmp_path / "terraform.tfstate")
    assert [r["tainted"] for r in found] == [True, False, True]
    assert tfstate.tainted_load_balancers(found) == [("module.alb.aws_lb.this", "arn:lb/app/a/1")]


def test_outputs_are_read_from_the_state_file_as_terraform_output_gives_them(tmp_path: Path) -> None:
    state = {
        "version": 4,
        "outputs": {
            "dns": {"value": "web-1.elb.amazonaws.com", "type": "string"},
            "shape": {"value": {"list": [1, 2]}, "type": ["object", {}], "sensitive": True},
        },
        "resources": [],
    }
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state))
    assert tfstate.outputs_in_state_file(tmp_path / "terraform.tfstate") == {
        "dns": "web-1.elb.amazonaws.com",
        "shape": {"list": [1, 2]},
    }
    assert tfstate.outputs_in_state_file(tmp_path / "missing.tfstate") == {}


def test_an_empty_state_file_is_no_state_and_a_torn_one_is_one_message(tmp_path: Path) -> None:
    # Terraform creates terraform.tfstate empty to lock it: a Ctrl-C early in an apply leaves it so.
    (tmp_path / "terraform.tfstate").write_text("")
    assert tfstate.resources_in_state_file(tmp_path / "terraform.tfstate") == []
    (tmp_path / "terraform.tfstate").write_text('{"version": 4, "resou')
    with pytest.raises(StateError, match="is not a readable Terraform state"):
        tfstate.resources_in_state_file(tmp_path / "terraform.tfstate")


def test_load_balancers_come_from_the_state_child_modules_included() -> None:
    found = tfstate.load_balancers(RESOURCES)
    assert [(f.address, f.name) for f in found] == [
        ("aws_lb.public", "pub"),
        ("module.alb.aws_lb.this", "inner"),
    ]
    assert tfstate.choose(found, "inner").address == "module.alb.aws_lb.this"
    assert tfstate.choose(found, "aws_lb.public").name == "pub"
    with pytest.raises(UsageError, match=r"choose one .* aws_lb\.public \(pub\)"):
        tfstate.choose(found, None)
    with pytest.raises(UsageError, match="no application load balancer 'nope'"):
        tfstate.choose(found, "nope")
    with pytest.raises(StateError, match="holds no application load balancer"):
        tfstate.choose([], None)
    assert tfstate.choose(found[:1], None).name == "pub"


def test_records_are_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "session.json"
    records.write_json(path, {"a": 1})
    records.write_json(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["session.json"]
    path.write_text("{broken")
    with pytest.raises(StateError, match="not valid JSON"):
        records.read_json(path)


def test_another_users_state_is_a_message_not_a_permission_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # A uid passed in, not a patched os.geteuid: other threads of this process must keep seeing the real one.
    with pytest.raises(StateError, match=r"belongs to .*run this command as"):
        records.check_owner(home, me=os.stat(home).st_uid + 4242)


def test_one_mutating_command_at_a_time(tmp_path: Path) -> None:
    session = Session(tmp_path / "home")
    other = Session(tmp_path / "home")
    with (
        session.exclusive("up"),
        pytest.raises(StateError, match=r"alblab up \(pid \d+\) is running"),
        other.exclusive("down"),
    ):
        pass


def test_down_of_nothing_and_of_a_record_whose_processes_are_gone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    session = Session(home)
    assert session.down().clean
    handle = session.add_stack("main", "basic", prefix="t0000")
    session.record.emulator_pid, session.record.emulator_port = 2**22 + 7, 1  # no such process
    session.save()
    handle.workdir.mkdir(parents=True)
    (home / "work" / "stale-from-an-old-run").mkdir()
    report = Session(home).down()
    assert report.clean, report.problems
    assert not (home / "work").exists() and not (home / "session.json").exists()


def test_a_stack_never_prepared_is_a_message_for_every_terraform_command(tmp_path: Path) -> None:
    # Not a FileNotFoundError from writing Terraform's launcher into a work copy that does not exist.
    handle = Session(tmp_path / "home").add_stack("main", "basic", prefix="t0000")
    for command in (handle.destroy, handle.state_json, handle.plan_changes, handle.replan_exitcode):
        with pytest.raises(StateError, match=r"has no work copy .*: nothing ran there yet"):
            command()
    assert not handle.workdir.exists()


def test_stack_names_fit_aws_limits() -> None:
    assert unique_name("t1a2b", "path-routing") == "t1a2b-path"
    assert unique_name("t1a2b", "My Shop!") == "t1a2b-myshop"
    with pytest.raises(UsageError, match="longer than"):
        unique_name("a-very-long-prefix", "basic")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["up", "/nonexistent"], 2, "no such directory"),
        (["up", "basci"], 2, "did you mean the example 'basic'"),
        (["up", "basic", "--var", "novalue"], 2, "expected NAME=VALUE"),
        (["up", "basic", "--var-file", "/nope.tfvars"], 2, "no such file"),
        (["status"], 1, "nothing is up"),
        (["curl", "/"], 1, "nothing is up"),
        (["apply"], 1, "nothing is up"),
        (["check", "/nonexistent"], 2, "no such directory"),
    ],
)
def test_cli_mistakes_start_nothing(
    argv: list[str], code: int, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv(records.HOME_ENV, str(tmp_path / "home"))
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "home" / "session.json").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["reach", "web-a", "99999"], "outside 1-65535"),
        (["fail", "web-a", "--mode", "slow:abc"], "expected unhealthy"),
        (["fail", "web-a", "--mode", "bogus"], "expected unhealthy"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_cli_bad_arguments_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_down_with_nothing_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(records.HOME_ENV, str(tmp_path / "home"))
    with pytest.raises(SystemExit) as info:
        cli.main(["down"])
    assert info.value.code == 0
    assert "nothing is up" in capsys.readouterr().out


def test_the_override_gives_endpoints_only_when_the_configuration_sets_its_own(tmp_path: Path) -> None:
    """The endpoint reaches the provider through AWS_ENDPOINT_URL (an endpoints block costs it CPU on every
    command); a configuration's own endpoints would win over the environment, so then the block overrides
    them."""
    from alblab.workspace import OVERRIDE_FILE, Workspace

    plain, own = tmp_path / "plain", tmp_path / "own"
    for src in (plain, own):
        src.mkdir()
        (src / "main.tf").write_text('resource "terraform_data" "x" {}\n')
    (own / "providers.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n  endpoints {\n    ec2 = "http://localhost:4566"\n  }\n}\n'
    )
    endpoint = "http://127.0.0.1:4999"
    for src, with_block in ((plain, False), (own, True)):
        ws = Workspace.prepare(src, src.name, tmp_path / "work", endpoint)
        override = (ws.dir / OVERRIDE_FILE).read_text()
        assert ("endpoints {" in override) is with_block
        assert (f'ec2     = "{endpoint}"' in override) is with_block
        assert 'access_key                  = "test"' in override
        assert ws.runner.env["AWS_ENDPOINT_URL"] == endpoint
