"""The shared secret classifier: key names, value kinds, strength, URLs, redaction."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from linter.formats.common.secrets import (
    ValueKind,
    classify,
    decode_base64_text,
    is_secret_key,
    parse_url,
    redact,
    strength_bits,
)

HEX_256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"  # `openssl rand -hex 32`
B64_256 = "/j2T5jVMb4im7UsHbBxcdn5aKhceOsG4C+s81gN8/BY="  # `openssl rand -base64 32`


@pytest.mark.parametrize(
    "key",
    ["DB_PASSWORD", "password", "DB_PASS", "PGPASSWORD", "JWT_SECRET", "SECRET_KEY", "GITHUB_TOKEN", "OPENAI_API_KEY",
     "apiKey", "clientSecret", "AWS_SECRET_ACCESS_KEY", "PRIVATE_KEY", "ENCRYPTION_KEY", "HMAC_KEY", "db-password",
     "smtp.password", "GOOGLE_APPLICATION_CREDENTIALS_JSON", "passphrase", "_APP_OPENSSL_KEY_V1", "MASTER_KEY",
     "RAILS_MASTER_KEY", "APP_KEY", "AZURE_STORAGE_ACCOUNT_KEY", "VAULT_ENC_KEY", "PG_META_CRYPTO_KEY"],
)
def test_secret_like_keys(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    ["LOG_LEVEL", "JWT_ALGORITHM", "JWT_EXPIRES_IN", "TOKEN_TTL", "PASSWORD_MIN_LENGTH", "secretName", "secretKeyRef",
     "SECRET_KEY_FILE", "TOKENIZER_MODEL", "PASSPORT_NUMBER", "DATABASE_URL", "DB_USER", "compass", "bypass_cache",
     "OPENAI_MAX_TOKENS", "JWT_PUBLIC_KEY", "JWT_ACCESS_TOKEN_EXPIRE_MINUTES", "TOKEN_ENDPOINT", "AWS_ACCESS_KEY_ID",
     "AWS_SECRETS_MANAGER_REGION", "PASSWORD_RESET_DISABLED", "TOKEN_REFRESH_INTERVAL", "PASSWORD_HASH_ALGO",
     "DOVECOT_PASS_FILTER", "SASLAUTHD_LDAP_PASSWORD_ATTR", "SECRET_KEY_ENABLED", "password_encryption"],
)
def test_keys_about_secrets_are_not_secret_like(key: str) -> None:
    assert not is_secret_key(key)


@pytest.mark.parametrize(
    "value",
    ["${DB_PASSWORD}", "${DB_PASSWORD:-dev}", "${TOKEN-x}", "$DB_PASSWORD", "$(DB_PASSWORD)", "{{ .Values.password }}",
     "${{ secrets.TOKEN }}", "vault:secret/data/app#password", "ssm:/prod/app/db", "secretsmanager:prod/app",
     "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-AbCdEf", "op://vault/app/password",
     "projects/my-proj/secrets/db/versions/latest", "/run/secrets/db_password"],
)
def test_references(value: str) -> None:
    assert classify("DB_PASSWORD", value).kind is ValueKind.REFERENCE


@pytest.mark.parametrize(
    "value",
    ["<strong-secret>", "<your password>", "changeme", "CHANGE_ME", "change-me-please", "changeit", "replace_me",
     "replace-with-a-real-key", "your-api-key-here", "your_secret_here", "YOUR_OPENAI_KEY", "xxx", "XXXXXXXX", "***",
     "...", "todo", "TBD", "example", "dummy", "test", "fake-token", "placeholder", "secret", "password", "none",
     "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "AKIAIOSFODNN7EXAMPLE",
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "[insert key]"],
)
def test_placeholders(value: str) -> None:
    assert classify("API_KEY", value).kind is ValueKind.PLACEHOLDER


def test_a_strong_value_containing_a_placeholder_word_is_not_a_placeholder() -> None:
    value = "test-" + HEX_256
    assert classify("API_KEY", value).kind is ValueKind.STRONG


def test_a_secret_like_key_holding_a_boolean_is_a_switch() -> None:
    assert not classify("ENABLE_TOKEN_AUTH", "true").secret_key
    assert classify("DB_PASSWORD", "123456").kind is ValueKind.WEAK


def test_empty() -> None:
    assert classify("DB_PASSWORD", "  ").kind is ValueKind.EMPTY


def test_signing_keys_need_256_bits() -> None:
    assert classify("JWT_SECRET", HEX_256).kind is ValueKind.STRONG
    assert classify("JWT_SECRET", B64_256).kind is ValueKind.STRONG
    short = classify("JWT_SECRET", HEX_256[:32])
    assert (short.kind, short.bits, short.required_bits) == (ValueKind.WEAK, 128.0, 256)
    assert classify("DB_PASSWORD", HEX_256[:32]).kind is ValueKind.STRONG  # 128 is enough here


def test_thresholds_can_be_overridden() -> None:
    assert classify("DB_PASSWORD", HEX_256[:32], min_bits=160).kind is ValueKind.WEAK
    assert classify("JWT_SECRET", HEX_256[:32], min_bits_signing=128).kind is ValueKind.STRONG


@pytest.mark.parametrize(
    ("value", "bits"),
    [
        ("123456", 6 * 3.3219),  # digits
        ("deadbeef", 32.0),  # hex
        ("password", 8 * 4.7004),  # one case of letters
        ("Passw0rd", 8 * 5.9542),  # alphanumerics
        ("Pa55-w_rd", 9 * 6.0),  # base64url alphabet
        ("P@ss w0rd!", 10 * 6.5699),  # printable
    ],
)
def test_strength_is_length_times_the_alphabet_used(value: str, bits: float) -> None:
    assert strength_bits(value) == pytest.approx(bits, abs=0.01)


def test_repetitive_values_are_weak_however_long() -> None:
    assert strength_bits("a" * 200) == 0.0
    assert strength_bits("ab" * 100) < 64
    assert classify("JWT_SECRET", "Ab1-" * 40).kind is ValueKind.WEAK


def test_urls_are_split_into_credentials_hosts_and_query() -> None:
    url = parse_url("postgresql+asyncpg://app:p@ss:w0rd@db-1:5432,db-2/app?ssl=require&application_name=etl")
    assert url is not None
    assert (url.scheme, url.base_scheme, url.driver) == ("postgresql+asyncpg", "postgresql", "asyncpg")
    assert (url.username, url.password) == ("app", "p@ss:w0rd")
    assert url.text[url.password_start:url.password_start + len(url.password)] == "p@ss:w0rd"
    assert url.hosts == (("db-1", 5432), ("db-2", None))
    assert url.query == {"ssl": "require", "application_name": "etl"}
    ipv6 = parse_url("redis://[::1]:6379/0")
    assert ipv6 is not None and ipv6.hosts == (("::1", 6379),)
    assert parse_url("not a url") is None


def test_an_at_sign_in_the_query_is_not_a_credential() -> None:
    url = parse_url("https://api.example.net/v1?notify=ops@example.net")
    assert url is not None and url.password is None and url.hosts == (("api.example.net", None),)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("sk-proj-" + "Ab3d" * 11, "sk-proj-…(52 chars)"),  # a provider's documented prefix only
        ("AKIAVGUYIK7K2KAHYEUF", "AKIA…(20 chars)"),
        ("ghp_1zcRMYxuWTqn6VL1xCPaKgQGZzZXyMltiKOp", "ghp_…(40 chars)"),
        ("Zq8vN2kLw5Rt7Yp3", "…(16 chars)"),  # no prefix: 4 characters would be 24 of its bits
        ("hunter2", "…(7 chars)"),
        ("postgresql+asyncpg://app:s3cr3t-pw@db/app", "postgresql+asyncpg://app:***@db/app"),
        ("redis://:s3cr3t-pw@cache:6379/0", "redis://:***@cache:6379/0"),
        ("https://api.example.net/v1?token=s3cr3t-pw&x=1", "https://api.example.net/v1?token=***&x=1"),
    ],
)
def test_redaction(value: str, shown: str) -> None:
    assert redact(value) == shown


def test_base64_text_is_decoded_only_when_it_is_text() -> None:
    assert decode_base64_text(base64.b64encode(b"postgres-password-1").decode()) == "postgres-password-1"
    assert decode_base64_text(base64.b64encode(bytes(range(32))).decode()) is None
    assert decode_base64_text("not base64 at all!") is None


def test_users_extend_the_classifier_data(tmp_path: Path) -> None:
    from linter.formats.common.secrets import load_policy, policy_in_effect

    extra = tmp_path / "secrets.yaml"
    extra.write_text(
        "secret_keys: ['licen[cs]e']\n"
        "placeholders: [ask-the-ops-team]\n"
        "providers:\n  - {id: acme, name: ACME token, pattern: 'acme_[a-z0-9]{24}'}\n"
        "thresholds: {min_bits: 160}\n"
    )
    with policy_in_effect(load_policy(extra)):
        assert is_secret_key("PRODUCT_LICENSE")
        assert is_secret_key("DB_PASSWORD")  # the bundled patterns stay
        assert classify("DB_PASSWORD", "ask-the-ops-team").kind is ValueKind.PLACEHOLDER
        assert classify("DB_PASSWORD", HEX_256[:32]).kind is ValueKind.WEAK  # 128 < 160
        from linter.formats.common.secrets import find_credentials

        assert [c.provider for c in find_credentials("acme_k3j5h7g9f1d3s5a7q9w2e4r6")] == ["acme"]
    assert not is_secret_key("PRODUCT_LICENSE")


def test_unknown_fields_in_user_data_are_usage_errors(tmp_path: Path) -> None:
    from linter.core.errors import UsageError
    from linter.formats.common.secrets import load_policy

    extra = tmp_path / "secrets.yaml"
    extra.write_text("secret_key: [oops]\n")
    with pytest.raises(UsageError, match="unknown secret classifier field 'secret_key'"):
        load_policy(extra)
    extra.write_text("providers: [{id: acme, name: ACME, pattern: 'acme_', validate: luhn}]\n")
    with pytest.raises(UsageError, match="unknown validate 'luhn'"):
        load_policy(extra)
