"""The formats deploylint reads, in detection order: the one list of them.

Adding a format is a package beside these (see the README's "How to add a
format") and one entry here.
"""

from __future__ import annotations

from linter.core.format import FormatRegistry
from linter.formats.clickhouse.format import ClickHouse
from linter.formats.common.format import Common
from linter.formats.env.format import Env
from linter.formats.kubernetes.format import Kubernetes
from linter.formats.nginx.format import Nginx

# Detection asks every format about the name first (an env file is told by its
# name alone), then about the content in this order: a manifest before a
# ClickHouse YAML override, a ClickHouse `conf.d/*.conf` before an nginx `*.conf`.
REGISTRY = FormatRegistry((Kubernetes(), ClickHouse(), Nginx(), Env()), common=Common())
