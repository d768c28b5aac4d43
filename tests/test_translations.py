"""Every word a person reads is marked for translation, and every shipped language
translates all of it."""
from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

from organizer import catalogues

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_FOLDERS = [ROOT / "templates", *sorted((ROOT / "plugins").glob("*/templates"))]

# Names of things, formats and products: the same in every language.
NAMES = {"organizer", "QR", "PDF", "PDFs", "JSON", "CSV", "API", "URL", "ICS", "ics", "iCal",
         "OpenStreetMap", "Google", "Outlook", "Yahoo", "Apple", "Thunderbird", "Markdown",
         "webcal", "HTTPS", "OpenAPI", "Swagger", "Bearer", "ZIP", "PNG", "JPEG", "WebP",
         "SMTP", "Ed25519", "HMAC", "SHA", "UTC", "GDPR", "A4", "Letter", "Avery", "Zweckform",
         "Herma", "L7160", "L7163", "L4785", "LinkedIn", "Mastodon", "GitHub", "X", "vCard",
         "Content", "Type", "application", "json", "Authorization", "SVG"}
# Blocks whose content is machine text (CSS classes), not words.
MACHINE_BLOCKS = {"body_class"}
# Attributes whose values a person reads or hears.
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label",
                   "data-confirm", "data-label", "data-empty", "data-copied", "content"}
WORD = re.compile(r"[^\W\d_]{2,}")
PLACEHOLDER = "\x00"


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in NAMES]


class _Text(HTMLParser):
    """Collects the text a person reads from HTML (or plain text) with Jinja parts removed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value and (name in READ_ATTRIBUTES or (tag == "input" and name == "value" and attrs.get("type") in
                                                      ("submit", "button", "reset"))):
                if name == "content" and attrs.get("name") not in ("description",):
                    continue
                if _words(value):
                    self.found.append(f'{tag}[{name}]="{value}"')

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and _words(data):
            self.found.append(" ".join(data.split()))


_ENV = Environment(extensions=["jinja2.ext.i18n"])
_TRANSLATING = {"_", "gettext", "ngettext", "pgettext"}


def _unmarked(source: str) -> list[str]:
    """Text in a template that no {% trans %} block or _() call covers."""
    kept: list[str] = []
    literals: list[str] = []
    tokens = list(_ENV.lex(source))
    in_trans = in_raw = in_machine = False
    tag_words: list[str] = []
    for index, (_, kind, value) in enumerate(tokens):
        if kind == "block_begin":
            tag_words = []
        elif kind == "name" and len(tag_words) < 2:
            tag_words.append(value)
            if tag_words == ["trans"]:
                in_trans = True
            elif tag_words == ["endtrans"]:
                in_trans = False
            elif tag_words[0] == "block" and len(tag_words) == 2:
                in_machine = value in MACHINE_BLOCKS
            elif tag_words == ["endblock"]:
                in_machine = False
        if kind == "raw_begin":
            in_raw = True
        elif kind == "raw_end":
            in_raw = False
        if kind == "data" and not in_trans:
            kept.append(value if not (in_raw or in_machine) else PLACEHOLDER)
            continue
        if kind == "string" and not in_trans:
            value = value[1:-1]  # the lexer keeps the quotes
            before = [v for _, k, v in tokens[max(0, index - 6):index] if k != "whitespace"][-4:]
            # _("…") or pgettext("context", "…")
            translated = (before[-2:-1] and before[-1] == "(" and before[-2] in _TRANSLATING) or \
                (len(before) == 4 and before[0] == "pgettext" and before[1] == "(")
            if not translated and re.match(r"\s*[A-Z][a-z]+\b", value) and _words(value):
                literals.append(f'"{value}"')
        if not kept or kept[-1] != PLACEHOLDER:
            kept.append(PLACEHOLDER)
    parser = _Text()
    parser.feed("".join(kept))
    parser.close()
    return parser.found + literals


def _templates():
    for folder in TEMPLATE_FOLDERS:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".html", ".txt"):
                yield path


def test_every_template_text_is_marked_for_translation():
    problems = {}
    for path in _templates():
        found = _unmarked(path.read_text(encoding="utf-8"))
        if found:
            problems[str(path.relative_to(ROOT))] = found
    report = "\n".join(f"{name}:\n    " + "\n    ".join(texts) for name, texts in problems.items())
    assert not problems, f"text not marked with {{% trans %}} or _():\n{report}"


def test_the_template_check_sees_unmarked_text():
    assert _unmarked("<p>Welcome back</p>") == ["Welcome back"]
    assert _unmarked('<input placeholder="Your name">') == ['input[placeholder]="Your name"']
    assert _unmarked("{{ 'Edit event' if x }}") == ['"Edit event"']
    assert _unmarked("<p>{% trans %}Welcome back{% endtrans %} {{ _('Hello there') }}</p>") == []
    assert _unmarked("<p>{{ name }} · PDF</p><script>let words = 'fine';</script>") == []


# Calls whose text a person reads: flashed messages, form labels and validator messages,
# errors shown on a page. Their text must go through gettext (or lazy_gettext at import).
_SHOWN = {"flash", "ValidationError", "GuestListError", "JobError", "TimeError", "Skip",
          "RsvpError", "InvalidForm", "MatchingError", "BoardError", "IntroError", "BadLink",
          "PictureError", "NotAnImage", "error_response", "Panel", "Link", "Action",
          "SettingsSection", "ReportSection", "Question"}
_MESSAGE_KEYWORDS = {"message", "label", "description", "title", "text", "help"}
# Machine interfaces keep English: the JSON API, the command line, the operators' logs.
_NOT_SHOWN = ("organizer/api/", "organizer/cli.py", "organizer/catalogues.py",
              "organizer/migrations/", "/migrations/", "organizer/testing.py", "/api.py",
              "organizer/demo.py", "/demo.py")


def _python_files():
    for path in sorted([*(ROOT / "organizer").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]):
        relative = str(path.relative_to(ROOT))
        if not any(part in relative for part in _NOT_SHOWN) and "/tests/" not in relative:
            yield path, relative


def _is_text(node) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)
            and bool(_words(node.value)))


def _unmarked_calls(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        field = name.endswith("Field") and name[0].isupper()
        if name in _SHOWN or field:
            candidates = list(node.args[:1] if field or name != "error_response" else node.args[1:2])
            candidates += [k.value for k in node.keywords if k.arg in _MESSAGE_KEYWORDS]
            for arg in candidates:
                if _is_text(arg):
                    found.append((node.lineno, f"{name}({ast.unparse(arg)[:60]})"))
        elif name in ("DataRequired", "InputRequired", "Length", "NumberRange", "Email",
                      "EqualTo", "Optional", "Regexp", "URL", "AnyOf", "NoneOf"):
            for arg in [*node.args[:1], *[k.value for k in node.keywords if k.arg == "message"]]:
                if name in ("DataRequired", "InputRequired") and _is_text(arg):
                    found.append((node.lineno, f"{name}({ast.unparse(arg)[:60]})"))
            for keyword in node.keywords:
                if keyword.arg == "message" and _is_text(keyword.value):
                    found.append((node.lineno, f"{name}(message={ast.unparse(keyword.value)[:60]})"))
    return found


def test_every_python_message_is_marked_for_translation():
    problems = []
    for path, relative in _python_files():
        for line, text in _unmarked_calls(path.read_text(encoding="utf-8")):
            problems.append(f"{relative}:{line}: {text}")
    assert not problems, "messages not wrapped in gettext():\n" + "\n".join(problems)


def test_the_python_check_sees_unmarked_messages():
    source = ('flash("Saved.")\nflash(_("Saved."))\nname = StringField("Your name")\n'
              'name = StringField(_l("Your name"))\nraise GuestListError(f"{x} is full")\n')
    assert [line for line, _ in _unmarked_calls(source)] == [1, 3, 5]


@pytest.mark.parametrize("project", catalogues.projects(), ids=lambda p: p.name)
def test_every_shipped_language_translates_every_marked_text(project):
    gaps = catalogues.untranslated(project)
    report = "\n".join(f"[{language}] {len(texts)}: " + " | ".join(texts[:30])
                       for language, texts in gaps.items())
    assert not gaps, ("run `python -m organizer.catalogues update`, translate, then "
                      f"`python -m organizer.catalogues compile`:\n{report}")
