"""Requests per token: ``API_RATE_LIMIT`` a minute, said in ``RateLimit`` headers.

Counted in the app's rate-limit storage (shared by every process, or by
every server with Redis), so all workers count together. The headers
follow the IETF draft: ``RateLimit-Limit``, ``RateLimit-Remaining``,
``RateLimit-Reset`` (seconds) and ``RateLimit-Policy``; a refused request
gets a 429 with ``Retry-After``.
"""
from __future__ import annotations

import math
import time

from flask import current_app, g
from limits import RateLimitItemPerMinute

from ..ratelimit import limiter
from .problems import problem


def _item() -> RateLimitItemPerMinute:
    return RateLimitItemPerMinute(int(current_app.config["API_RATE_LIMIT"]))


def count(token_id: int):
    """Count this request against the token; a 429 answer when it is over its limit."""
    item = _item()
    strategy = limiter.limiter
    allowed = strategy.hit(item, "api-token", str(token_id))
    reset_at, remaining = strategy.get_window_stats(item, "api-token", str(token_id))
    g.api_rate = (item.amount, remaining, max(0, math.ceil(reset_at - time.time())))
    if not allowed:
        response = problem(429, f"This token made more than {item.amount} requests in a "
                                f"minute. Wait {g.api_rate[2]} seconds, then go on.")
        response.headers["Retry-After"] = str(g.api_rate[2])
        return response
    return None


def headers(response):
    """Tell the client how many requests are left (every API answer)."""
    rate = g.pop("api_rate", None)
    if rate is not None:
        amount, remaining, reset = rate
        response.headers["RateLimit-Limit"] = str(amount)
        response.headers["RateLimit-Remaining"] = str(remaining)
        response.headers["RateLimit-Reset"] = str(reset)
        response.headers["RateLimit-Policy"] = f"{amount};w=60"
    return response
