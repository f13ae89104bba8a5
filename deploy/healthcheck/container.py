"""The image's HEALTHCHECK (and docker-compose.yml's `api` healthcheck): one script for
whatever command the container runs, read from PID 1's command line.

- `cxledger serve`: GET http://127.0.0.1:$CXL_PORT/health/live (or the path given as the first
  argument, e.g. `/health/ready`); healthy on 200. The slim image has no curl.
- `cxledger project`: the worker serves no HTTP; worker_listening.py decides (its listener
  session on the primary).
- any other command (`migrate`, one-shot jobs): healthy while it runs; its exit status is what
  counts.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import worker_listening  # beside this file, not an installed module

LIVE = "/health/live"


def pid1_command() -> list[str]:
    raw = Path("/proc/1/cmdline").read_bytes()
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def http_ok(port: int, path: str) -> int:
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        print(f"{url}: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"{url}: {status}", file=sys.stderr)
        return 1
    return 0


def check(command: list[str], path: str, port: int) -> int:
    """0 healthy, 1 not, for a container whose PID 1 runs ``command``."""
    if "serve" in command:
        return http_ok(port, path)
    if "project" in command:
        return worker_listening.main()
    return 0


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else LIVE
    return check(pid1_command(), path, int(os.environ.get("CXL_PORT") or 8000))


if __name__ == "__main__":
    sys.exit(main())
