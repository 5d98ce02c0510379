"""Asks Vanguard's /healthz and exits 0 when it answers 200 (or, with --check NAME, when
that one check passed), 1 otherwise: the container health checks (deploy/Dockerfile,
deploy/compose.yaml). Standard library only; no Django settings are loaded.

    python deploy/healthcheck.py                          # this container's app
    python deploy/healthcheck.py --url http://app:8000/healthz --check worker

The Host header is the first of VANGUARD_ALLOWED_HOSTS, which the app accepts (a bare
container address is not an allowed host). /healthz answers over plain HTTP.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/healthz")
    parser.add_argument("--check", help="pass when this check passed (e.g. worker)")
    parser.add_argument("--timeout", type=float, default=5.0)
    options = parser.parse_args(argv)
    hosts = [h.strip() for h in os.environ.get("VANGUARD_ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and not h.startswith(".") and h != "*"), "localhost")
    request = urllib.request.Request(options.url, headers={"Host": host})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=options.timeout) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:  # 503: a check failed
        status, body = error.code, error.read()
    except OSError as error:
        print(f"unhealthy: {options.url}: {error}", file=sys.stderr)
        return 1
    try:
        answer = json.loads(body)
    except ValueError:
        print(f"unhealthy: {options.url} answered {status}, not JSON", file=sys.stderr)
        return 1
    if options.check:
        ok = bool(answer.get("checks", {}).get(options.check, {}).get("ok"))
    else:
        ok = status == 200 and answer.get("status") == "ok"
    print(json.dumps(answer, sort_keys=True))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
