"""Removed and deprecated APIs for a target release (K8S901, K8S902), and
the derived table they read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_cli, write
from conftest import lint_text, triples

from linter.formats.kubernetes.apis import TABLE, load_table, stability

OLD_APIS = """\
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: web}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: web}
---
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata: {name: web}
---
apiVersion: flowcontrol.apiserver.k8s.io/v1beta2
kind: FlowSchema
metadata: {name: web}
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
"""


def test_removed_apis_at_the_newest_release_name_replacement_and_removal(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "old.yaml", OLD_APIS, select=["K8S901", "K8S902"])
    newest = "1.37"
    assert triples(result) == [("K8S901", 1, 1), ("K8S901", 5, 1), ("K8S901", 9, 1), ("K8S901", 13, 1)]
    assert [f.message for f in result.shown] == [
        f"Ingress/web: extensions/v1beta1 Ingress is not served by Kubernetes {newest} (removed in 1.22); use networking.k8s.io/v1",
        f"PodDisruptionBudget/web: policy/v1beta1 PodDisruptionBudget is not served by Kubernetes {newest} (removed in 1.25); use policy/v1",
        f"HorizontalPodAutoscaler/web: autoscaling/v2beta2 HorizontalPodAutoscaler is not served by Kubernetes {newest} "
        "(removed in 1.26); use autoscaling/v2",
        f"FlowSchema/web: flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema is not served by Kubernetes {newest} (removed in 1.29); "
        "use flowcontrol.apiserver.k8s.io/v1",
    ]


def test_an_older_target_turns_later_removals_into_deprecations(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "old.yaml", OLD_APIS, select=["K8S901", "K8S902"], options={"kubernetes_version": "1.25"})
    # flowcontrol v1beta2 is the most stable FlowSchema 1.25 serves: current there.
    assert triples(result) == [("K8S901", 1, 1), ("K8S901", 5, 1), ("K8S902", 9, 1)]
    assert result.shown[2].message == ("HorizontalPodAutoscaler/web: autoscaling/v2beta2 HorizontalPodAutoscaler is deprecated "
                                       "in Kubernetes 1.25 (removed in 1.26); use autoscaling/v2")
    result = lint_text(tmp_path, "old.yaml", OLD_APIS, select=["K8S902"], options={"kubernetes_version": "1.26"})
    assert [f.message for f in result.shown] == [
        "FlowSchema/web: flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema is deprecated in Kubernetes 1.26 (removed in 1.29); "
        "use flowcontrol.apiserver.k8s.io/v1beta3"
    ]


def test_an_api_newer_than_the_target_is_not_served_either(tmp_path: Path) -> None:
    text = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p}\n"
    assert triples(lint_text(tmp_path, "p.yaml", text, select=["K8S901"])) == []
    result = lint_text(tmp_path, "p.yaml", text, select=["K8S901"], options={"kubernetes_version": "1.28"})
    assert [f.message for f in result.shown] == [
        "ValidatingAdmissionPolicy/p: admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy is not served by Kubernetes 1.28 "
        "(first served in 1.30); use admissionregistration.k8s.io/v1beta1"
    ]


def test_custom_resources_and_unknown_versions_are_not_judged(tmp_path: Path) -> None:
    text = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
    assert triples(lint_text(tmp_path, "r.yaml", text, select=["K8S901", "K8S902"], options={"kubernetes_version": "1.20"})) == []


def test_the_target_comes_from_the_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".deploylint.yaml", 'kubernetes_version: "1.25"\n')
    write(project, "hpa.yaml", "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n")
    code, out, _ = run_cli(capsys, project, "hpa.yaml", "--select", "K8S901,K8S902")
    assert code == 1 and out.splitlines()[0] == ("hpa.yaml:1:1: warning[K8S902] HorizontalPodAutoscaler/web: autoscaling/v2beta2 HorizontalPodAutoscaler "
                                   "is deprecated in Kubernetes 1.25 (removed in 1.26); use autoscaling/v2")


def test_stability_orders_versions_of_a_group() -> None:
    order = ["v2", "v1", "v2beta1", "v1beta2", "v1beta1", "v1alpha1"]
    assert sorted(order, key=lambda v: stability(f"g/{v}")) == ["v1alpha1", "v1beta1", "v1beta2", "v2beta1", "v1", "v2"]


def test_the_committed_table_is_what_the_schema_sets_derive() -> None:
    pytest.importorskip("kubernetes_validate")
    from linter.formats.kubernetes.derive_apis import derive

    assert json.loads(TABLE.read_text(encoding="utf-8")) == derive()
    table = load_table()
    assert table.newest == (1, 37)
