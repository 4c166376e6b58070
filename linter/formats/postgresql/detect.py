"""Recognising PostgreSQL configs.

By name: `postgresql.conf`, `postgresql.auto.conf`, `pg_hba.conf` (and
`*.postgresql.conf`). By content only a `*.conf` (an `include_dir` fragment
such as `conf.d/10-memory.conf`) whose lines are `name = value` settings, two
of them parameters only PostgreSQL has, and none ending with `;` or opening a
`{` block as nginx lines do; extension-less files are left to nginx.
"""

from __future__ import annotations

import re
from pathlib import Path

_NAMES = frozenset({"postgresql.conf", "postgresql.auto.conf", "pg_hba.conf"})
_SETTING = re.compile(
    r"^[ \t]*(?:shared_buffers|max_connections|listen_addresses|wal_level|archive_mode|archive_command|work_mem|"
    r"maintenance_work_mem|effective_cache_size|password_encryption|log_connections|hba_file|max_wal_size|"
    r"checkpoint_completion_target|ssl_cert_file|ssl_key_file|shared_preload_libraries)[ \t]*=[^\n;{]*$",
    re.M,
)
_NGINX_LINE = re.compile(r"[;{][ \t]*(?:#[^\n]*)?$", re.M)


def claims_by_name(path: Path) -> bool:
    name = path.name.lower()
    return name in _NAMES or name.endswith(".postgresql.conf")


def wants_content(path: Path) -> bool:
    return path.name.lower().endswith(".conf")


def is_postgresql(path: Path, head: str) -> bool:
    return wants_content(path) and len(_SETTING.findall(head)) >= 2 and not _NGINX_LINE.search(head)
