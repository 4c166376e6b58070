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
from linter.formats.postgresql.format import PostgreSQL
from linter.formats.redis.format import Redis

# Detection asks every format about the name first (an env file is told by its
# name alone), then about the content in this order: a manifest before a
# ClickHouse YAML override, a ClickHouse `conf.d/*.conf` before an nginx `*.conf`,
# and Redis and PostgreSQL `*.conf` (told by directives nginx never ends without
# `;`) before nginx, which also claims extension-less files by content.
REGISTRY = FormatRegistry((Kubernetes(), ClickHouse(), Redis(), PostgreSQL(), Nginx(), Env()), common=Common())
