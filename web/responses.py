"""What every answer carries: the security headers (docs/reliability.md, Headers), and
post/redirect/get for forms.

No page runs inline script or inline style: scripts and styles come from /static only, so
an injected ``<script>`` or ``onclick=`` is inert even if escaping ever failed.
"""

from flask import current_app, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self' data:", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
    "base-uri 'self'", "form-action 'self'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# Only behind TLS: a browser that saw HSTS over plain HTTP on a test box would refuse it for a year.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("BEHIND_TLS"):
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def see_other(response):
    """A form POST that succeeded redirects with 303 See Other: the browser then GETs the page,
    so reload and back never resubmit the form (302 leaves the method to the browser)."""
    if request.method == "POST" and response.status_code == 302:
        response.status_code = 303
    return response


def init_app(app) -> None:
    app.after_request(add_headers)
    app.after_request(see_other)
