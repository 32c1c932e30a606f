"""Shared-secret signatures of webhooks, in each helpdesk's own style where it has one.

- Zendesk: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(secret, timestamp + body)) with
  the timestamp in `X-Zendesk-Webhook-Signature-Timestamp`.
- Jira Service Management (Jira webhooks with a secret): `X-Hub-Signature: sha256=<hex>`.
- Everyone else (Freshdesk, generic sources) and our outbound events:
  `X-Autotriage-Signature: sha256=<hex of HMAC-SHA256(secret, body)>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path

from autotriage.config import Settings
from autotriage.errors import AutotriageError, NotFound

SIGNATURE_HEADER = "X-Autotriage-Signature"
ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
HUB_SIGNATURE = "X-Hub-Signature"


class Unauthorized(AutotriageError):
    status_code = 401
    code = "bad_signature"


def sign_hex(secret: str, body: bytes) -> str:
    """The value of X-Autotriage-Signature (and X-Hub-Signature) for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def sign_zendesk(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_secret(settings: Settings, source: str) -> str:
    """The shared secret of an inbound source; NotFound when the source is not configured."""
    secrets = {name: value.get_secret_value() for name, value in settings.webhook_secrets.items()}
    if settings.webhook_secrets_file is not None:
        secrets.update(_read_secrets_file(settings.webhook_secrets_file))
    secret = secrets.get(source, "")
    if not secret:
        raise NotFound(
            f"webhook source {source!r} is not configured; give it a shared secret in "
            "AUTOTRIAGE_WEBHOOK_SECRETS or AUTOTRIAGE_WEBHOOK_SECRETS_FILE"
        )
    return secret


def _read_secrets_file(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AutotriageError(f"cannot read the webhook secrets file {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise AutotriageError(f"{path} must hold a JSON object of source name -> secret")
    return {str(k): v for k, v in data.items()}


def verify(source: str, secret: str, headers: Mapping[str, str], body: bytes) -> None:
    """Raise Unauthorized unless the request carries a valid signature for its source."""
    if source == "zendesk" and ZENDESK_SIGNATURE.lower() in _lower(headers):
        given = _lower(headers)[ZENDESK_SIGNATURE.lower()]
        timestamp = _lower(headers).get(ZENDESK_TIMESTAMP.lower())
        if not timestamp:
            raise Unauthorized(f"{ZENDESK_TIMESTAMP} header is missing")
        _compare(given, sign_zendesk(secret, timestamp, body), ZENDESK_SIGNATURE)
        return
    lowered = _lower(headers)
    header = SIGNATURE_HEADER
    if source == "jsm" and HUB_SIGNATURE.lower() in lowered:
        header = HUB_SIGNATURE
    given = lowered.get(header.lower())
    if not given:
        expected = (f"{ZENDESK_SIGNATURE} and {ZENDESK_TIMESTAMP}" if source == "zendesk"
                    else f"{SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of the body>")
        raise Unauthorized(f"signature missing: send {expected}")
    _compare(given, sign_hex(secret, body), header)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _compare(given: str, expected: str, header: str) -> None:
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise Unauthorized(f"{header} does not match the body signed with the shared secret")
