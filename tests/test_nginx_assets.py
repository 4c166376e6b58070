"""NGX101 on levels that serve only static assets, an API or a websocket
(issue 14): framing protection is moot there, while NGX102 still applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import all_rules, lint_text, triples

from linter.config.rules import RuleOverride, select_rules
from linter.core.lint import run
from linter.core.run_types import Settings
from linter.formats import REGISTRY

SERVER = (
    "http {{\n"
    "    server {{\n"
    "        listen 80;\n"
    "        add_header X-Frame-Options DENY always;\n"
    "        add_header X-Content-Type-Options nosniff always;\n"
    "        location / {{\n"
    "            proxy_pass http://127.0.0.1:3000;\n"
    "        }}\n"
    "        location {location} {{\n"
    "            {body}\n"
    "            add_header Cache-Control \"public, max-age=31536000\";\n"
    "        }}\n"
    "    }}\n"
    "}}\n"
)


@pytest.mark.parametrize(
    ("location", "body", "assets"),
    [
        (r"~* \.(?:css|js|woff2?|ttf|png|jpe?g|gif|ico|svg)$", "root /srv/public;", True),
        (r"~* \.(js|css|html)$", "root /srv/public;", False),  # pages too
        (r"~* \.js", "root /srv/public;", False),  # unanchored: /a.js/b.html matches
        (r"~ ^/(emoji|packs|system/accounts/avatars|system/media_attachments/files)", "try_files $uri =404;", True),
        (r"~ ^/assets/", "root /srv/public;", True),
        (r"~ ^/(assets|admin)/", "root /srv/public;", False),
        (r"~ /_?emoji.*\.(png|gif)$", "root /srv/public;", True),  # an optional character is read without it
        (r"~ ^/(?:avatar|thumbs)/", "root /srv/public;", True),
        (r"~ ^/staticpages/", "root /srv/public;", False),  # a whole segment names the directory
        ("/static/", "alias /srv/static/;", True),
        ("/uploads/", "root /srv/data;", True),
        ("= /favicon.ico", "root /srv/public;", True),
        ("/app/", "root /srv/public;", False),
        ("/download/", "types { }\n            default_type application/octet-stream;\n            root /srv/files;", True),
        ("/docs/", "types { text/html html; }\n            root /srv/docs;", False),
        # real configs (PeerTube, Mastodon, Discourse, Mattermost): every match ends in an asset extension
        (r"~ ^/(assets|avatars|emoji|headers|packs|shortcuts|sounds)/", "try_files $uri =404;", True),  # Mastodon's
        (r"~ ^/client/(.*\.(js|css|png|svg|woff2|otf|ttf|woff|eot))$", "root /srv;", True),
        (r"~ ^/client/(assets/images/(icons/icon-36x36\.png|logo\.svg|favicon\.png))$", "root /srv;", True),
        (r"~ ^/client/(.*\.(js|html))$", "root /srv;", False),
        (r"~ ^/(favicon\.png|index)$", "root /srv;", False),  # one alternative is a page
        (r"~ ^/(?<file>.*\.css)$", "root /srv;", True),
        (r"~ \.(png|svg)\)$", "root /srv;", False),  # an escaped parenthesis closes no group
        # APIs and websockets render no page either
        ("^~ /api/v1/streaming", "proxy_pass http://127.0.0.1:4000;", True),
        (r"~ /api/v[0-9]+/(users/)?websocket$", "proxy_pass http://127.0.0.1:8065;", True),
        ("/socket.io", "proxy_pass http://127.0.0.1:9000;", True),
        ("/apidocs/", "proxy_pass http://127.0.0.1:9000;", False),
        ("/live/", 'proxy_set_header Connection "upgrade";', True),
        ("/live/", "proxy_set_header Connection $connection_upgrade;", False),  # upgrades only when asked
    ],
)
def test_x_frame_options_is_not_asked_of_asset_locations(
    tmp_path: Path, location: str, body: str, assets: bool
) -> None:
    text = SERVER.format(location=location, body=body)
    result = lint_text(tmp_path, "nginx/nginx.conf", text, ["NGX101", "NGX102", "NGX106"])
    # the location's own add_header drops the server's headers: NGX106's one finding names what is lost
    assert triples(result) == [("NGX106", 11 + body.count("\n"), 13)]
    assert ("X-Frame-Options" in result.shown[0].message) is not assets
    assert "X-Content-Type-Options" in result.shown[0].message  # NGX102 is fair on assets
    # with no X-Frame-Options anywhere, NGX101 asks for it where pages are served: through
    # the server's `location /`, and in the location under test unless it serves assets only
    bare = text.replace("        add_header X-Frame-Options DENY always;\n", "")
    ngx101 = triples(lint_text(tmp_path, "nginx/nginx.conf", bare, ["NGX101"]))
    assert ngx101 == [("NGX101", 2, 5)] + ([] if assets else [("NGX101", 8, 9)])


def test_a_server_serving_only_assets_needs_no_x_frame_options(tmp_path: Path) -> None:
    text = (
        "http {\n    server {\n        listen 80;\n        server_name cdn.example.com;\n"
        "        location /static/ { root /srv; }\n        location ~* \\.(?:woff2|png)$ { root /srv; }\n"
        "        location / { return 404; }\n    }\n"
        "    server {\n        listen 8080;\n        location /static/ { root /srv; }\n"
        "        location / { proxy_pass http://127.0.0.1:3000; }\n    }\n}\n"
    )
    assert triples(lint_text(tmp_path, "nginx/nginx.conf", text, ["NGX101", "NGX102"])) == [
        ("NGX102", 2, 5),
        ("NGX101", 9, 5),  # its / location serves pages
        ("NGX102", 9, 5),
    ]


def test_asset_params_are_the_policy(tmp_path: Path) -> None:
    target = tmp_path / "nginx.conf"
    target.write_text("http {\n    server {\n        listen 80;\n        location /static/ { root /srv; }\n    }\n}\n")
    override = {"NGX101": RuleOverride(params={"asset_directories": ["fonts"]})}
    rules = select_rules(all_rules(), ["NGX101"], overrides=override)
    result = run([str(target)], Settings(root=tmp_path, rules=rules, formats=REGISTRY))
    assert [(f.rule_id, f.span.line) for f in result.shown] == [("NGX101", 2)]


@pytest.mark.parametrize(("cache", "pages"), [("public,immutable", False), ('"public, max-age=2419200"', True)])
def test_immutable_responses_are_versioned_files_not_pages(tmp_path: Path, cache: str, pages: bool) -> None:
    # Discourse's `location ~ ^/plugins/` and Mastodon's `/system/`: only a versioned file can be immutable
    text = (
        "http {\n    server {\n        listen 80;\n        location ~ ^/plugins/ {\n"
        f"            expires 1y;\n            add_header Cache-Control {cache};\n        }}\n"
        "        location / { return 404; }\n    }\n}\n"
    )
    result = triples(lint_text(tmp_path, "nginx/nginx.conf", text, ["NGX101"]))
    assert result == ([("NGX101", 4, 9)] if pages else [])
