"""The headers every server-rendered page carries (on top of RequestIdMiddleware's
Referrer-Policy, X-Frame-Options, nosniff and no-store): one strict Content-Security-Policy
for the console and the subscriber pages alike."""

from __future__ import annotations

from starlette.responses import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)


def harden(response: Response) -> Response:
    response.headers["content-security-policy"] = CONTENT_SECURITY_POLICY
    response.headers["cross-origin-opener-policy"] = "same-origin"
    return response
