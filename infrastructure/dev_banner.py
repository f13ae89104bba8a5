"""What `cxledger serve` prints once at start in development (so on `make run`): where to
point a browser or a client, and a command that mints a token to paste into a request.

Printed, not logged: it is for the person at the terminal, in any log format, and it holds no
secret (the token command reads the development secret itself)."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from pathlib import Path

from infrastructure.settings import Settings

MAILBOX = "/dev/mailbox"
ANY_ADDRESS = ("0.0.0.0", "::", "")  # noqa: S104 (names the wildcard, binds nothing)


def development_banner(settings: Settings, paths: Iterable[str], program: str) -> str:
    """``paths``: the app's route paths (the mailbox page is listed only when it is served);
    ``program``: how this process was started (`.venv/bin/cxledger` on `make run`)."""
    host = "127.0.0.1" if settings.host in ANY_ADDRESS else settings.host
    base = f"http://{host}:{settings.port}"
    lines = [
        "cxledger is starting (development):",
        f"  API       {base}/graphql",
        f"  GraphiQL  {base}/graphql (open it in a browser)",
    ]
    if MAILBOX in set(paths):
        lines.append(f"  Mailbox   {base}{MAILBOX}")
    lines += [
        f"  Health    {base}/health",
        "A development token for an agent, ready to paste:",
        f"  {token_command(settings, program)}",
    ]
    return "\n".join(lines)


def token_command(settings: Settings, program: str) -> str:
    """The `token` command of this installation, against the same development secret."""
    cli = program if Path(program).name == "cxledger" else "cxledger"
    prefix = (
        ""
        if settings.data_dir == Path("var")
        else f"CXL_DATA_DIR={shlex.quote(str(settings.data_dir))} "
    )
    return f"{prefix}{shlex.quote(cli)} token --role agent"
