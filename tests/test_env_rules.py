"""The env pack on real-looking files: exact (rule, line, column), file roles,
production detection, URL handling, and no findings on templates' placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES, lint_paths, lint_text, triples

from linter.formats import REGISTRY
from linter.formats.env.roles import env_role

HEX_256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"  # `openssl rand -hex 32`
HEX_128 = "9f86d081884c7d659a2feaa0c55ad015"  # 32 hex characters


@pytest.mark.parametrize(
    ("name", "role"),
    [(".env", "deployable"), (".env.production", "deployable"), ("prod.env", "deployable"),
     (".env.production.local", "deployable"), (".env.staging", "deployable"),
     (".env.local", "development"), (".env.test", "development"), (".env.development", "development"),
     (".env.dev", "development"), ("test.env", "development"),
     (".env.example", "template"), (".env.sample", "template"), (".env.template", "template"), (".env.dist", "template"),
     ("app.env.dist", "template"), ("example.env", "template"), ("env.example", "template"), ("env.sample", "template"),
     (".envrc", None), ("env.py", None), ("env", None), ("env.sh", None)],
)
def test_file_roles_by_name(name: str, role: str | None) -> None:
    assert env_role(name) == role


def test_template_names_are_discovered_in_a_directory_walk(tmp_path: Path) -> None:
    for name in ("env.example", "env.sample", "example.env", ".env.dist"):
        (tmp_path / name).write_text(f"JWT_SECRET={HEX_256}\n")
    (tmp_path / "env.py").write_text("JWT_SECRET = 1\n")
    result = lint_paths(["."], tmp_path, select=["ENV106"])
    assert sorted((f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown) == [
        ("ENV106", ".env.dist", 1, 12), ("ENV106", "env.example", 1, 12),
        ("ENV106", "env.sample", 1, 12), ("ENV106", "example.env", 1, 12)]


@pytest.mark.parametrize("name", [".env.test", ".env.development", ".env.local"])
def test_development_files_are_not_production(tmp_path: Path, name: str) -> None:
    text = "APP_ENV=production\nLOG_LEVEL=debug\nDEBUG=true\nDB_PASSWORD=postgres\nSECRET_KEY=dev\nA=1\nA=2\n"
    result = lint_text(tmp_path, name, text, select=["ENV", "DL"])
    assert triples(result) == [("ENV201", 7, 1)]  # file-hygiene rules still apply


def test_placeholder_and_empty_secrets_in_a_deployable_file(tmp_path: Path) -> None:
    text = "JWT_SECRET=<strong-secret>\nAPI_KEY=your-api-key-here\nDB_PASSWORD=\nTOKEN=${TOKEN}\nLOG_LEVEL=\n"
    result = lint_text(tmp_path, ".env", text, select=["ENV101"])
    assert triples(result) == [("ENV101", 1, 12), ("ENV101", 2, 9), ("ENV101", 3, 1)]


def test_signing_keys_need_256_bits_others_128(tmp_path: Path) -> None:
    text = f"JWT_SECRET={HEX_256}\nSECRET_KEY={HEX_128}\nDB_PASSWORD={HEX_128}\nHMAC_KEY=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
    result = lint_text(tmp_path, ".env", text, select=["ENV102"])
    assert triples(result) == [("ENV102", 2, 12), ("ENV102", 4, 10)]
    assert "about 128 bits, 256 required" in result.shown[0].message


def test_weak_secret_thresholds_are_params(tmp_path: Path) -> None:
    from conftest import all_rules

    from linter.config.rules import RuleOverride, select_rules
    from linter.core.lint import run
    from linter.core.run_types import Settings

    (tmp_path / ".env").write_text(f"DB_PASSWORD={HEX_128}\n")
    rules = select_rules(all_rules(), ["ENV102"], overrides={"ENV102": RuleOverride(params={"min_bits": 160})})
    result = run([str(tmp_path / ".env")], Settings(root=tmp_path, rules=rules, formats=REGISTRY))
    assert triples(result) == [("ENV102", 1, 13)]
    assert "160 required" in result.shown[0].message


def test_credentials_in_url_point_at_the_password_and_mask_it(tmp_path: Path) -> None:
    text = "DATABASE_URL=postgresql+asyncpg://app:Pa55-w0rd-x@db/app\nCACHE=redis://:${REDIS_PASSWORD}@cache:6379\n"
    result = lint_text(tmp_path, ".env", text, select=["ENV103"])
    assert triples(result) == [("ENV103", 1, 39)]
    span = result.shown[0].span
    assert span.end_column == 39 + len("Pa55-w0rd-x")
    assert "postgresql+asyncpg://app:***@db/app" in result.shown[0].message
    assert "Pa55" not in result.shown[0].message


@pytest.mark.parametrize(
    ("value", "fires"),
    [
        ("redis://cache.prod.example.net:6379/0", True),
        ("rediss://cache.prod.example.net:6380/0", False),
        ("redis://redis:6379/0", False),  # compose service name
        ("redis://localhost:6379", False),
        ("redis://127.0.0.2:6379", False),
        ("redis://[::1]:6379", False),
        ("redis://10.0.0.7:6379", True),
        ("amqp://guest:${P}@mq.example.net/", True),
        ("amqps://guest:${P}@mq.example.net/", False),
        ("postgresql://app:${P}@db.example.net/app", True),
        ("postgresql://app:${P}@db.example.net/app?sslmode=require", False),
        ("postgresql://app:${P}@db.example.net/app?sslmode=prefer", True),
        ("postgresql+asyncpg://app:${P}@db.example.net/app?ssl=require", False),
        ("postgresql+asyncpg://app:${P}@db.example.net/app?sslmode=require", True),
        ("postgresql+psycopg://app:${P}@db.example.net/app?sslmode=verify-full", False),
        ("mongodb://app:${P}@m1.example.net,m2.example.net/app", True),
        ("mongodb://app:${P}@m1.example.net,m2.example.net/app?tls=true", False),
        ("mongodb+srv://app:${P}@cluster.example.net/app", False),
        ("https://api.example.net/v1", False),
    ],
)
def test_plaintext_connections_to_remote_hosts(tmp_path: Path, value: str, fires: bool) -> None:
    result = lint_text(tmp_path, ".env", f"URL={value}\n", select=["ENV104"])
    assert triples(result) == ([("ENV104", 1, 5)] if fires else [])


def test_asyncpg_sslmode_gets_its_own_explanation(tmp_path: Path) -> None:
    result = lint_text(tmp_path, ".env", "DB=postgresql+asyncpg://a:${P}@db.example.net/a?sslmode=require\n", select=["ENV104"])
    assert "asyncpg takes ssl=require, not sslmode=" in result.shown[0].message


def test_local_hosts_are_configurable(tmp_path: Path) -> None:
    from conftest import all_rules

    from linter.config.rules import RuleOverride, select_rules
    from linter.core.lint import run
    from linter.core.run_types import Settings

    (tmp_path / ".env").write_text("A=redis://redis:6379\nB=redis://cache.internal:6379\n")
    override = RuleOverride(params={"single_label_is_local": False, "local_hosts": ["cache.internal"]})
    rules = select_rules(all_rules(), ["ENV104"], overrides={"ENV104": override})
    result = run([str(tmp_path / ".env")], Settings(root=tmp_path, rules=rules, formats=REGISTRY))
    assert triples(result) == [("ENV104", 1, 3)]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (".env.production", "LOG_LEVEL=DEBUG\n", [("ENV105", 1, 11)]),
        ("prod.env", "DEBUG=true\n", [("ENV105", 1, 7)]),
        (".env", "APP_ENV=production\nLOG_LEVEL=debug\n", [("ENV105", 2, 11)]),
        (".env", "ENVIRONMENT=prod\nFLASK_DEBUG=1\n", [("ENV105", 2, 13)]),
        (".env", "APP_ENV=development\nLOG_LEVEL=DEBUG\n", []),
        (".env.production", "LOG_LEVEL=INFO\nDEBUG=false\n", []),
        (".env.staging", "LOG_LEVEL=DEBUG\n", []),
    ],
)
def test_debug_in_production_by_name_or_declaration(tmp_path: Path, name: str, text: str, expected: list[tuple[str, int, int]]) -> None:
    assert triples(lint_text(tmp_path, name, text, select=["ENV105"])) == expected


def test_templates_may_hold_placeholders_but_not_real_secrets(tmp_path: Path) -> None:
    text = (
        "OPENAI_API_KEY=your-openai-api-key-here\nJWT_SECRET=<strong-secret>\nDB_PASSWORD=changeme\n"
        f"SESSION_SECRET={HEX_256}\nDATABASE_URL=postgresql://app:{HEX_128}@db/app\n"
    )
    result = lint_text(tmp_path, ".env.example", text, select=["ENV"])
    assert triples(result) == [("ENV106", 4, 16), ("ENV106", 5, 31)]


def test_duplicate_keys_point_at_every_later_occurrence(tmp_path: Path) -> None:
    result = lint_text(tmp_path, ".env.example", "A=1\nB=2\nA=3\nA=4\n", select=["ENV201"])
    assert triples(result) == [("ENV201", 3, 1), ("ENV201", 4, 1)]
    assert "first at line 1" in result.shown[1].message


PLACEHOLDER_TEMPLATE = """\
# Every placeholder style people use in templates.
APP_SECRET_KEY=<strong-secret>
JWT_SECRET=changeme
JWT_REFRESH_SECRET=change-me
KEYSTORE_PASSWORD=changeit
DB_PASSWORD=replace_me
REDIS_PASSWORD=your-redis-password-here
OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
ANTHROPIC_API_KEY=sk-ant-api03-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
SLACK_TOKEN=***
STRIPE_SECRET_KEY=sk_test_placeholder
SMTP_PASSWORD=todo
SENTRY_TOKEN=dummy
ADMIN_PASSWORD=example
API_TOKEN=test
WEBHOOK_SECRET=
CLIENT_SECRET=${CLIENT_SECRET}
ENCRYPTION_KEY=${ENCRYPTION_KEY:-}
VAULT_TOKEN=vault:secret/data/app#token
DATABASE_URL=postgresql+asyncpg://app:<password>@db:5432/app
"""


@pytest.mark.parametrize("name", [".env.example", ".env.sample", ".env.template", ".env.dist"])
def test_zero_false_positives_on_template_placeholders(tmp_path: Path, name: str) -> None:
    assert triples(lint_text(tmp_path, name, PLACEHOLDER_TEMPLATE)) == []


def test_clean_example_env_template_is_silent() -> None:
    result = lint_paths([EXAMPLES / "ai-etl" / ".env.example"], EXAMPLES.parent)
    assert result.files == ["examples/ai-etl/.env.example"]
    assert triples(result) == []


def test_broken_example_env_findings_show_redacted_values() -> None:
    result = lint_paths([EXAMPLES / "ai-etl-broken"], EXAMPLES.parent, select=["ENV", "SEC"])
    messages = "\n".join(f.message for f in result.shown)
    assert "postgresql+asyncpg://app:***@db.prod.internal:5432/app" in messages
    assert "sk-proj-…(56 chars)" in messages
    assert "Pg-Etl-2024" not in messages


# --- what real .env files say: key roles, prose placeholders, known public values ---

AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="  # Microsoft's documented emulator key


def _supabase_demo_jwt(role: str) -> str:
    import base64
    import json

    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'iss': 'supabase-demo', 'role': role, 'exp': 1983812996})}.{HEX_256[:43]}"


def test_keys_about_a_secret_are_settings_by_their_last_word_and_value(tmp_path: Path) -> None:
    text = ("PASSWORD_RESET_DISABLED=1\nTOKEN_REFRESH_INTERVAL=60\nPASSWORD_HASH_ALGO=bcrypt\nDOVECOT_PASS_FILTER=\n"
            "SASLAUTHD_LDAP_PASSWORD_ATTR=\nTOKEN_REFRESH=60\nSSL_PRIVATE_KEY=/etc/ssl/private/server.key\nJWT_LIFETIME=15m\n"
            "_APP_OPENSSL_KEY_V1=your-secret-key\nENCRYPTION_KEY=short\nMASTER_KEY=abc123\nDB_PASSWORD=123456\n")
    result = lint_text(tmp_path, ".env", text, select=["ENV101", "ENV102"])
    assert triples(result) == [("ENV101", 9, 21), ("ENV102", 10, 16), ("ENV102", 11, 12), ("ENV102", 12, 13)]


@pytest.mark.parametrize(
    "value",
    ["this_password_is_insecure_and_should_be_updated", "data encryption key with 32 char", "changePassword",
     "changeThisRunnerAuthToken", "pleaseChangeThisEncryptionKeyNowBeforeDeploying"],
)
def test_prose_and_camel_case_placeholders(tmp_path: Path, value: str) -> None:
    deployed = lint_text(tmp_path, ".env", f"ENCRYPTION_KEY={value}\n", select=["ENV"])
    assert triples(deployed) == [("ENV101", 1, 16)]
    template = lint_text(tmp_path, ".env.example", f"ENCRYPTION_KEY={value}\n", select=["ENV"])
    assert triples(template) == []


def test_vendors_published_development_keys_are_not_real_secrets(tmp_path: Path) -> None:
    text = f"AZURE_STORAGE_ACCOUNT_KEY={AZURITE_KEY}\nSERVICE_ROLE_KEY={_supabase_demo_jwt('service_role')}\n"
    template = lint_text(tmp_path, ".env.example", text, select=["ENV", "SEC"])
    assert triples(template) == []
    deployed = lint_text(tmp_path, ".env", text, select=["ENV", "SEC"])
    assert triples(deployed) == [("ENV101", 1, 27), ("ENV101", 2, 18)]
    assert "a publicly known development value" in deployed.shown[0].message


def test_a_diceware_passphrase_is_not_prose(tmp_path: Path) -> None:
    result = lint_text(tmp_path, ".env.example", "BACKUP_PASSPHRASE=correct-horse-battery-staple-orbit-lamp-violin\n", select=["ENV106"])
    assert triples(result) == [("ENV106", 1, 19)]


def test_plaintext_connection_judges_only_hosts_the_file_names_as_remote(tmp_path: Path) -> None:
    text = ("A=redis://:${REDIS_PASSWORD}@${REDIS_HOST}:${REDIS_PORT}/0\n"
            "B=redis://0.0.0.0:6379/0\n"
            "C=redis://localhost.localdomain:6379\n"
            "D=redis://redis-master.cache.svc.cluster.local:6379\n"
            "E=postgres://app:${DB_PASSWORD}@${DB_HOST:-db}:5432/app\n"
            "F=postgres://app:${DB_PASSWORD}@db.prod.example.net/app?ssl=true\n"
            "G=postgres://app:${DB_PASSWORD}@${DB_HOST:-db.prod.example.net}:5432/app\n"
            "H=redis://cache.prod.example.net:6379\n")
    result = lint_text(tmp_path, ".env", text, select=["ENV104"])
    assert triples(result) == [("ENV104", 7, 3), ("ENV104", 8, 3)]
    assert "'db.prod.example.net'" in result.shown[0].message
