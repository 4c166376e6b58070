"""Top-level element names that tell a ClickHouse config apart (shared by
discovery and by the parser, which tells server from users configs by them)."""

from __future__ import annotations

USERS_KEYS = frozenset({"users", "profiles", "quotas"})
SERVER_KEYS = frozenset({
    "listen_host", "http_port", "tcp_port", "https_port", "tcp_port_secure", "interserver_http_port",
    "interserver_https_port", "mysql_port", "postgresql_port", "path", "logger", "remote_servers", "zookeeper",
    "keeper_server", "openSSL", "query_log", "users_config", "user_directories", "max_server_memory_usage",
    "max_server_memory_usage_to_ram_ratio", "storage_configuration", "macros", "interserver_http_credentials",
})
