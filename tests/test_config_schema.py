"""`schemas/config.schema.json`, the schema editors check `.deploylint.yaml`
with: generated from the rules, and saying what the config reader says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_helpers import run_cli, write
from conftest import PROJECT

from linter.config.init import config_text, schema_url
from linter.config.planning import Options, build_settings
from linter.config.presets import PRESET_NAMES, preset_path
from linter.config.rules import load_config
from linter.core.errors import UsageError
from linter.core.rules import load_rules
from linter.formats.common.yaml_tree import parse_yaml_documents
from linter.report.config_schema import render_schema, report_sync

SCHEMA_PATH = PROJECT / "schemas" / "config.schema.json"

CUSTOM_RULE = """\
id: ACME301
name: min-replicas
title: Deployments run enough replicas
severity: warning
target: {format: kubernetes, select: objects, kinds: [Deployment]}
check:
  assert:
    - {path: spec.replicas, min: "{min_replicas}"}
message: "{kind}/{object} spec.replicas {reason} (want {min_replicas})"
help:
  why: One replica is one outage.
  fix: Raise spec.replicas.
params: {min_replicas: 2}
"""


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def config_data(text: str) -> Any:
    """A config as the reader sees it (its YAML parser: an unquoted date stays text)."""
    documents, problems = parse_yaml_documents(text, ".deploylint.yaml")
    assert not problems
    return documents[0].to_python() if documents else {}


def test_committed_schema_is_what_the_generator_writes() -> None:
    expected = render_schema([r for r in load_rules() if r.builtin])
    assert SCHEMA_PATH.read_text(encoding="utf-8") == expected, (
        "schemas/config.schema.json is generated: change linter/config/schema.py or the rules, "
        "then run `python -m linter.report.config_schema` (or `python -m linter.report.docs`)")


def test_check_mode_reports_drift_and_writing_repairs_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "config.schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    assert report_sync(check=True, path=stale) == 1
    assert stale.read_text(encoding="utf-8") == "{}\n"
    assert report_sync(check=False, path=stale) == 0
    assert stale.read_text(encoding="utf-8") == SCHEMA_PATH.read_text(encoding="utf-8")
    assert report_sync(check=True, path=stale) == 0
    assert "out of date" in capsys.readouterr().err


def test_every_rule_id_and_name_is_completed_with_typed_params(validator: jsonschema.Draft202012Validator) -> None:
    schema = validator.schema
    known = schema["properties"]["rules"]["properties"]
    rules = [r for r in load_rules() if r.builtin]
    assert set(known) == {"ALL"} | {r.id for r in rules} | {r.name for r in rules}
    hpa = schema["$defs"]["rule-K8S301"]
    assert hpa["description"].startswith("K8S301 hpa-min-replicas (")
    params = hpa["oneOf"][1]["properties"]["params"]
    assert params["properties"]["min_replicas"]["type"] == "integer"
    assert params["additionalProperties"] is False
    assert schema["$defs"]["rule-K8S104"]["oneOf"][1]["properties"]["params"]["properties"] == {}
    assert [p["const"] for p in schema["$defs"]["preset"]["anyOf"]] == list(PRESET_NAMES)
    assert all(schema["properties"][key].get("description") for key in schema["properties"])
    assert schema["$id"] == schema_url()


def _readme_config() -> str:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration"):]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_presets_and_init_configs_are_valid(validator: jsonschema.Draft202012Validator, name: str) -> None:
    for text in (preset_path(name).read_text(encoding="utf-8"), config_text(name, None), config_text(name, ".deploylint-baseline.json")):
        errors = [e.message for e in validator.iter_errors(config_data(text))]
        assert errors == []


def test_readme_example_config_is_valid(validator: jsonschema.Draft202012Validator) -> None:
    text = _readme_config()
    assert "rules_dirs" in text and "K8S301" in text
    assert [e.message for e in validator.iter_errors(config_data(text))] == []


# (config, accepted): each is judged by the reader (load and build the run's
# settings, as a lint does) and by the schema, and both must agree.
VERDICTS = [
    ("rules:\n  K8S104: disable\n", True),
    ("rules:\n  k8s104: disable\n  ngx1: {severity: note}\n", True),
    ("rules:\n  all: disable\n  K8S4: enable\n", True),
    ("rules:\n  container-memory-limit: enable\n", True),
    ("rules:\n  K8S301: {params: {min_replicas: 4}}\n", True),
    ("extends: strict\nrules:\n  RDS105: {params: {max_share: 1}}\n", True),
    ("extends: [recommended]\nrules:\n  K8S104: {ignore: [{path: 'batch/*', until: 2027-03-31}]}\n", True),
    ("rules:\n  container-memry-limit: disable\n", False),  # a typo'd name
    ("rules:\n  K8S1O4: disable\n", False),
    ("rules:\n  K8S999: disable\n", False),
    ("rules:\n  AL: disable\n", False),
    ("rules:\n  Container-Memory-Limit: disable\n", False),  # names are exact
    ("rules:\n  K8S301: {params: {min_replicas: three}}\n", False),
    ("rules:\n  K8S301: {params: {min_replicas: true}}\n", False),
    ("rules:\n  hpa-min-replicas: {params: {minimum: 3}}\n", False),
    ("rules:\n  K8S104: {params: {min: 3}}\n", False),
    ("rules:\n  K8S104: enabled\n", False),
    ("rules_dirs: [policy]\nrules:\n  ACME301: {params: {min_replicas: 3}}\n  min-replicas: {severity: error}\n", True),
]


@pytest.mark.parametrize(("text", "accepted"), VERDICTS)
def test_schema_and_reader_agree(tmp_path: Path, validator: jsonschema.Draft202012Validator, text: str, accepted: bool) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".deploylint.yaml", text)
    write(tmp_path, "policy/ACME301-min-replicas.yaml", CUSTOM_RULE)
    try:
        build_settings(load_config(None, tmp_path), Options(root=tmp_path))
        reader = True
    except UsageError:
        reader = False
    assert (reader, validator.is_valid(config_data(text))) == (accepted, accepted)
    # Editors' validators may read it as draft-07 (yaml-language-server): the same verdict.
    assert jsonschema.Draft7Validator(validator.schema).is_valid(config_data(text)) == accepted


def test_config_schema_command_prints_the_installed_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, tmp_path, "config", "schema")
    assert (code, err) == (0, "")
    assert Path(out.strip()).read_text(encoding="utf-8") == SCHEMA_PATH.read_text(encoding="utf-8")
