"""Reading a posted form: URL-encoded only, bounded in bytes and fields, UTF-8, each field at
most once. Anything else is a :class:`BadForm` with the status and words its page shows."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import Request

URLENCODED = "application/x-www-form-urlencoded"
MAX_FIELDS = 64  # a survey has a score, at most 12 aspects, a comment and the form token


class BadForm(Exception):  # noqa: N818 -- a refusal shown as a page, not a fault
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Form:
    fields: dict[str, list[str]]

    def one(self, name: str) -> str | None:
        """The field's value, None when absent; sent twice is a bad form."""
        values = self.fields.get(name)
        if values is None:
            return None
        if len(values) > 1:
            raise BadForm(400, f"the form sent {name!r} more than once")
        return values[0]

    def names(self) -> list[str]:
        return list(self.fields)


async def read_form(request: Request, max_bytes: int) -> Form:
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != URLENCODED:
        raise BadForm(415, "this page takes only the form it shows")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BadForm(413, "the form sent is too large")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise BadForm(413, "the form sent is too large")
    try:
        text = body.decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise BadForm(400, "the form sent could not be read") from None
    return Form(fields)
