"""Secrets from files: AUTOTRIAGE_<NAME>_FILE names a file (a Docker or Kubernetes secret)
holding the value of setting <name>, so the secret never sits in the environment itself."""

from __future__ import annotations

import os
from pathlib import Path

# Settings that may carry a credential. webhook_secrets has its own webhook_secrets_file.
SECRET_SETTINGS = ("session_secret", "database_url", "redis_url", "outbound_webhook_secret",
                   "mlflow_tracking_uri")


def read_secret_files(data: object) -> object:
    if not isinstance(data, dict):
        return data
    for name in SECRET_SETTINGS:
        path = os.environ.get(f"AUTOTRIAGE_{name.upper()}_FILE")
        if not path:
            continue
        if data.get(name):
            raise ValueError(f"{name} is set both directly and by AUTOTRIAGE_{name.upper()}_FILE;"
                             " keep one")
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"AUTOTRIAGE_{name.upper()}_FILE: cannot read {path} ({exc})") \
                from exc
        data = {**data, name: value}
    return data
