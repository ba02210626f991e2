"""Reading a URL-encoded HTML form body (the console's and the pause link page's), bounded."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

from service.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed


async def read_form(request: Request, *, max_bytes: int, max_fields: int) -> dict[str, str]:
    """The fields of a POST's form body ({} for other methods); 413 past ``max_bytes``, 415 for
    another content type or an unreadable body, 422 for a NUL in any name or value."""
    if request.method != "POST":
        return {}
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(f"The form is larger than {max_bytes} bytes.")
        chunks.append(chunk)
    body = b"".join(chunks)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and content_type != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("Forms are sent URL-encoded.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=max_fields)
    except (UnicodeDecodeError, ValueError):
        raise UnsupportedMediaType("The form could not be read.") from None
    if any("\x00" in k or "\x00" in v for k, v in pairs):
        raise ValidationFailed("A form field contains a NUL character.")
    return dict(pairs)
