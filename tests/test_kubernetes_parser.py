"""How Kubernetes manifests are read: streams, lists, anchors, duplicate keys,
line endings, BOM and JSON, always with the positions the user wrote."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from conftest import Lint, lint_paths, triples

from linter.core.run_types import RunResult

POD = dedent("""\
    apiVersion: v1
    kind: Pod
    metadata: {{name: {name}}}
    spec:
      containers:
        - {{name: c, image: "{image}"}}
""")


def lint_bytes(tmp_path: Path, name: str, data: bytes, select: list[str]) -> RunResult:
    (tmp_path / name).write_bytes(data)
    return lint_paths([name], tmp_path, select)


def test_multi_document_stream_keeps_each_documents_lines(lint: Lint) -> None:
    text = (
        "# leading comment\n---\n"
        + POD.format(name="a", image="nginx:1.27")
        + "---\n---\n"  # an empty document in between
        + POD.format(name="b", image="nginx")
        + "...\n---\n"
        + POD.format(name="c", image="nginx:latest")
    )
    result = lint("stream.yaml", text, ["K8S501"])
    assert triples(result) == [("K8S501", 16, 24), ("K8S501", 24, 24)]
    assert [f.message.split(":")[0] for f in result.shown] == ["container 'c' in Pod/b", "container 'c' in Pod/c"]


def test_kind_list_items_are_objects(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: Pod
            metadata: {name: first}
            spec:
              containers: [{name: c, image: nginx}]
          - apiVersion: apps/v1
            kind: DeploymentList
            items:
              - apiVersion: apps/v1
                kind: Deployment
                metadata: {name: nested}
                spec:
                  template:
                    spec:
                      containers: [{name: d, image: "nginx:latest"}]
    """)
    result = lint("list.yaml", text, ["K8S501"])
    assert triples(result) == [("K8S501", 8, 37), ("K8S501", 18, 45)]
    assert "Pod/first" in result.shown[0].message and "Deployment/nested" in result.shown[1].message


def test_anchors_and_merge_keys_resolve_to_the_written_text(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: v1
        kind: List
        items:
          - apiVersion: apps/v1
            kind: Deployment
            metadata: {name: a}
            spec:
              template:
                spec:
                  containers:
                    - &api
                      name: api
                      image: r/api:1.0.0
                      resources:
                        requests: {cpu: 300m, memory: 1Gi}
                        limits: {cpu: 200m, memory: 2Gi}
          - apiVersion: apps/v1
            kind: Deployment
            metadata: {name: b}
            spec:
              template:
                spec:
                  containers:
                    - <<: *api
                      name: worker
                      image: r/worker:latest
    """)
    result = lint("anchors.yaml", text, ["K8S101", "K8S104", "K8S105", "K8S501"])
    # The worker inherits the resources (no K8S101/K8S104); the shared request
    # above its limit is reported for both containers at the anchored text.
    assert triples(result) == [("K8S105", 15, 33), ("K8S105", 15, 33), ("K8S501", 26, 22)]
    assert {f.message.split(" requests")[0] for f in result.shown[:2]} == {
        "container 'api' in Deployment/a",
        "container 'worker' in Deployment/b",
    }


def test_merge_key_is_never_a_key(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: &meta {name: base}
        data:
          <<: {a: "1"}
          b: "2"
    """)
    result = lint("cm.yaml", text, ["DL"])
    assert triples(result) == []


def test_duplicate_keys_are_reported_where_repeated(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: backend
          name: backend-v2
        spec:
          template:
            spec:
              containers:
                - name: api
                  image: r/api:1.0.0
                  image: r/api:latest
    """)
    result = lint("dup.yaml", text, ["DL004", "K8S501"])
    assert triples(result) == [("DL004", 5, 3), ("DL004", 12, 11), ("K8S501", 12, 18)]
    assert result.shown[0].message == "duplicate key 'name' (first at line 4); the later value silently wins"
    assert "Deployment/backend-v2" in result.shown[2].message  # the last value is the one applied


def test_crlf_line_endings_keep_columns(tmp_path: Path) -> None:
    text = POD.format(name="a", image="nginx:latest").replace("metadata: {name: a}", "metadata: {name: a, name: a}")
    result = lint_bytes(tmp_path, "crlf.yaml", text.replace("\n", "\r\n").encode(), ["DL004", "K8S501"])
    assert triples(result) == [("DL004", 3, 21), ("K8S501", 6, 24)]
    assert result.shown[1].span.end_column == 38


def test_bom_does_not_shift_first_line_columns(tmp_path: Path) -> None:
    text = '{"apiVersion": "v1", "kind": "Pod", "kind": "Pod", "metadata": {"name": "p"}}\n'
    result = lint_bytes(tmp_path, "bom.json", b"\xef\xbb\xbf" + text.encode(), ["DL004"])
    assert triples(result) == [("DL004", 1, 37)]
    yaml_text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, name: q}\n"
    assert triples(lint_bytes(tmp_path, "bom.yaml", b"\xef\xbb\xbf" + yaml_text.encode(), ["DL004"])) == [("DL004", 3, 21)]


def test_json_manifests_pretty_and_compact(tmp_path: Path) -> None:
    pretty = dedent("""\
        {
          "apiVersion": "apps/v1",
          "kind": "Deployment",
          "metadata": {"name": "api"},
          "spec": {"template": {"spec": {"containers": [
            {"name": "api", "image": "registry:5000/api"}
          ]}}}
        }
    """)
    compact = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}'
    (tmp_path / "pretty.json").write_text(pretty)
    (tmp_path / "compact.json").write_text(compact)
    result = lint_paths(["."], tmp_path, ["K8S501"])
    assert [(f.span.file, f.span.line, f.span.column) for f in result.shown] == [("compact.json", 1, 99), ("pretty.json", 6, 30)]


def test_documents_that_are_not_objects_are_ignored(lint: Lint) -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\njust a string\n---\n- 1\n- 2\n---\n{kind: NoApiVersion}\n"
    result = lint("mixed.yaml", text, ["K8S", "DL"])
    assert triples(result) == []
    assert result.files == ["mixed.yaml"]
