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

from ..ratelimit import limiter
from .problems import problem


WINDOW = 60


def count(token_id: int):
    """Count this request against the token; a 429 answer when it is over its limit.

    Windows are whole minutes of the clock, so one increment of the shared
    counter tells both how many are left and when the window ends.
    """
    amount = int(current_app.config["API_RATE_LIMIT"])
    now = time.time()
    start = int(now // WINDOW) * WINDOW
    reset = max(1, math.ceil(start + WINDOW - now))
    used = limiter.limiter.storage.incr(f"organizer/api-token/{token_id}/{start}", reset + 1)
    g.api_rate = (amount, max(0, amount - used), reset)
    if used > amount:
        response = problem(429, f"This token made more than {amount} requests in a minute. "
                                f"Wait {reset} seconds, then go on.")
        response.headers["Retry-After"] = str(reset)
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
