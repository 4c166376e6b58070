"""The scanned root is what the user names: a path with `..` in it is linted
like the directory it names (confinement guards against what files point to,
not against the user's own arguments)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_cli, write

NGINX = "events {}\nhttp { server { listen 80; server_tokens on; } }\n"


@pytest.mark.parametrize("named", ["../nginx", "{cwd}/../nginx", "../k8s/../nginx/nginx.conf"])
def test_a_path_through_a_parent_directory_is_linted(tmp_path: Path, capsys: pytest.CaptureFixture[str], named: str) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, "nginx/nginx.conf", NGINX)
    write(tmp_path, "k8s/app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n")
    k8s = tmp_path / "k8s"
    code, out, err = run_cli(capsys, k8s, "--select", "NGX301", "--format", "sarif", named.format(cwd=k8s))
    assert (code, err) == (1, "")
    [result] = json.loads(out)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert (result["ruleId"], location["artifactLocation"]["uri"], location["region"]["startLine"], location["region"]["startColumn"]) == (
        "NGX301", "nginx/nginx.conf", 2, 42
    )


def test_paths_outside_the_current_directory_are_shown_relative_to_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "nginx/nginx.conf", NGINX)
    write(tmp_path, "k8s/pod.yaml", 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: c, image: "nginx:latest"}\n')
    k8s = tmp_path / "k8s"
    code, out, err = run_cli(capsys, k8s, "--select", "NGX301,K8S501", "../nginx/nginx.conf", ".")
    assert (code, err) == (1, "")
    assert [line.split(": ")[0] for line in out.splitlines()[:2]] == ["pod.yaml:6:24", "../nginx/nginx.conf:2:42"]
    code, out, err = run_cli(capsys, k8s, "--select", "NGX301", "--format", "json", "../nginx")
    assert [(f["file"], f["line"], f["column"]) for f in json.loads(out)["findings"]] == [("../nginx/nginx.conf", 2, 42)]
