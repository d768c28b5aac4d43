"""A crawler for tests: follows every link of the site as one visitor and sends its forms.

It reports what a person would hit: a 5xx anywhere, a link or form that leads
to a page that does not exist.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

BASE = "http://organizer.test"


@dataclass
class Form:
    page: str
    action: str
    fields: dict = field(default_factory=dict)


class _Page(HTMLParser):
    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url, self.links, self.forms = url, [], []
        self._form: Form | None = None
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "img", "link", "script"):
                self.links.append(a[key])
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = Form(self.url, a.get("action") or self.url)
            elif a.get("action"):
                self.links.append(a["action"])
        elif self._form is not None and tag in ("input", "button") and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind == "file":
                return
            if tag == "button" and a["name"] in self._form.fields:
                return
            self._form.fields.setdefault(a["name"], a.get("value", ""))
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._form.fields.setdefault(a["name"], "")
        elif self._form is not None and tag == "select":
            self._select, self._first_option = a.get("name"), None
        elif self._form is not None and tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
                self._form.fields.setdefault(self._select, value)
            if "selected" in a:
                self._form.fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def _local(url: str, page: str) -> str | None:
    """The path (and query) of a link on this site, or None for anything elsewhere."""
    absolute = urldefrag(urljoin(BASE + page, url))[0]
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != BASE:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Walk:
    """What one visitor met: each page's status, and where every link came from."""

    statuses: dict = field(default_factory=dict)
    found_on: dict = field(default_factory=dict)
    forms: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def walk(client, starts: list[str], skip=lambda path: False, limit: int = 600) -> Walk:
    """Follow every link from ``starts`` (GET), as ``client``; collect the POST forms seen."""
    seen = Walk()
    queue = deque((start, "(start)") for start in starts)
    while queue and len(seen.statuses) < limit:
        path, origin = queue.popleft()
        if path in seen.statuses or skip(path):
            continue
        response = client.get(path)
        response.close()  # a file served from disk is closed at once
        seen.statuses[path] = response.status_code
        seen.found_on[path] = origin
        if response.status_code >= 500 or response.status_code in (404, 405):
            seen.problems.append(f"GET {path} → {response.status_code} (linked from {origin})")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = _local(response.headers["Location"], path)
            if target:
                queue.append((target, path))
            continue
        if not response.mimetype == "text/html":
            continue
        parser = _Page(path)
        parser.feed(response.get_data(as_text=True))
        for link in parser.links:
            target = _local(link, path)
            if target and target not in seen.statuses:
                queue.append((target, path))
        seen.forms.extend(parser.forms)
    return seen


def send_forms(client, forms: list[Form], skip=lambda action: False) -> list[str]:
    """Send each distinct form once as it stands (its defaults, its CSRF token).

    Returns the problems: a 5xx, a form whose address does not exist, or a
    redirect to a page that fails.
    """
    problems, sent = [], set()
    for form in forms:
        action = _local(form.action, form.page)
        if action is None or action in sent or skip(action):
            continue
        sent.add(action)
        response = client.post(action, data=form.fields)
        if response.status_code >= 500 or response.status_code in (404, 405):
            problems.append(f"POST {action} → {response.status_code} (form on {form.page})")
            continue
        if response.status_code in (301, 302, 303):
            target = _local(response.headers["Location"], action)
            if target:
                after = client.get(target)
                after.close()
                if after.status_code >= 500 or after.status_code == 404:
                    problems.append(f"POST {action} → {target} → {after.status_code}")
    return problems
