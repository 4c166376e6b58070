"""Real-world nginx configurations nobody on this project wrote (see the
corpus's SOURCES.md): valid files parse, includes resolve, and the findings
are the ones a reviewer would expect."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED, lint_paths

CORPUS = (SHARED / "corpus" / "real" / "nginx").resolve()

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared real-world corpus not available")


def _found(root: Path, paths: list[str], select: list[str] | None = None) -> list[tuple[str, str, int]]:
    result = lint_paths(paths, root, select=select)
    return [(f.rule_id, f.span.file, f.span.line) for f in result.shown]


def test_no_parse_errors_on_valid_files() -> None:
    result = lint_paths(["."], CORPUS, select=["DL001"])
    assert result.files and [f.message for f in result.shown] == []


def test_h5bp_include_tree_resolves() -> None:
    result = lint_paths(["h5bp/nginx.conf"], CORPUS, select=["DL003"])
    assert result.shown == []  # `include custom.d/*.conf` matches nothing: not an error
    assert "h5bp/h5bp/security/server_software_information.conf" in result.files
    assert "h5bp/mime.types" in result.files  # included as `mime.types`, relative to nginx's prefix
    assert "h5bp/conf.d/no-ssl.default.conf" in result.files
    assert "h5bp/conf.d/.default.conf" not in result.files  # dotfiles are skipped by the glob


def test_h5bp_main_config_is_clean_through_its_includes() -> None:
    # server_tokens off comes from an included file; the only server returns 444
    assert _found(CORPUS, ["h5bp/nginx.conf"], ["NGX"]) == []


def test_h5bp_hsts_snippet_max_age_below_a_year() -> None:
    assert _found(CORPUS, ["h5bp"], ["NGX104"]) == [("NGX104", "h5bp/h5bp/security/strict-transport-security.conf", 36)]


def test_h5bp_templates_lint_as_server_level_fragments() -> None:
    found = _found(CORPUS, ["h5bp/conf.d/templates"], ["NGX", "DL003"])
    # headers set through map variables count; the tls snippets resolve against nginx.conf's directory
    assert ("NGX103", "h5bp/conf.d/templates/example.com.conf", 26) in found
    assert ("NGX203", "h5bp/conf.d/templates/no-ssl.example.com.conf", 24) in found
    assert {rule for rule, *_ in found} == {"NGX103", "NGX203", "NGX205"}


def test_nginx_default_config() -> None:
    found = _found(CORPUS, ["nginx-default"], ["NGX"])
    assert found == [
        ("NGX301", "nginx-default/conf/nginx.conf", 17),  # the http block: server_tokens defaults to on
        ("NGX101", "nginx-default/conf/nginx.conf", 35),
        ("NGX102", "nginx-default/conf/nginx.conf", 35),
        ("NGX203", "nginx-default/conf/nginx.conf", 36),  # plain HTTP serving content
    ]


def test_mozilla_reference_configs_have_no_tls_findings() -> None:
    found = _found(CORPUS, ["mozilla-ssl-config"], ["NGX103", "NGX104", "NGX2"])
    assert found == []
