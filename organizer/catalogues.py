"""The gettext catalogues of the core and the built-in plugins: extract, update, check, compile.

Run from a checkout::

    python -m organizer.catalogues update    # after marking new text: adds it to every .po
    python -m organizer.catalogues check     # lists text not yet translated
    python -m organizer.catalogues compile   # .po -> .mo, as the build does

Only Babel is imported here (no Flask), so the build can load this file on its own.
"""
from __future__ import annotations

import copy
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "de", "fr", "es")
# The marking functions: gettext and its lazy and plural forms under their usual names.
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
# Jinja templates are read with the same whitespace rule the app renders them with.
JINJA = {"trimmed": "true"}


@dataclass(frozen=True)
class Project:
    """One catalogue: where its Python code and templates are, and where its .po files live."""

    name: str
    python: Path
    templates: Path
    folder: Path


def projects(root: Path = ROOT) -> list[Project]:
    """The core and each built-in plugin, each with a catalogue of its own."""
    found = [Project("organizer", root / "organizer", root / "templates",
                     root / "organizer" / "translations")]
    for plugin in sorted((root / "plugins").iterdir()):
        if (plugin / "plugin.py").is_file():
            found.append(Project(plugin.name, plugin, plugin / "templates",
                                 plugin / "translations"))
    return found


def extract(project: Project) -> Catalog:
    """Every text marked for translation in the project's Python code and templates."""
    catalog = Catalog(project=project.name, charset="utf-8")
    sources = [(project.python, [("**/templates/**", "ignore"), ("**.py", "python")], {}),
               (project.templates, [("**.html", "jinja2"), ("**.txt", "jinja2")],
                {"**.html": JINJA, "**.txt": JINJA})]
    for folder, method_map, options in sources:
        if not folder.is_dir():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
                str(folder), method_map, options, keywords=KEYWORDS,
                comment_tags=("Translators:",), strip_comment_tags=True):
            where = str((folder / filename).relative_to(ROOT)) if ROOT in (folder / filename).parents \
                else filename
            catalog.add(message, None, [(where, lineno)], auto_comments=comments, context=context)
    return catalog


def _po(project: Project, language: str) -> Path:
    return project.folder / language / "LC_MESSAGES" / "messages.po"


def _read(path: Path, language: str, project: str = "organizer") -> Catalog:
    if not path.is_file():
        return Catalog(locale=language, project=project, version="", charset="utf-8",
                       fuzzy=False, copyright_holder="the organizer authors",
                       header_comment=f"# {project}: the {language} catalogue.\n"
                                      "# Update with: python -m organizer.catalogues update")
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def update(project: Project) -> None:
    """Bring every language's .po in step with the code: new text added (empty, to be
    translated), text no longer used dropped. English translates to itself."""
    template = extract(project)
    for language in LANGUAGES:
        path = _po(project, language)
        catalog = _read(path, language, project.name)
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        if language == "en":
            for message in catalog:
                if message.id and not _translated(message):
                    message.string = message.id
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_by_file=True, include_previous=False)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(strings) and all(strings) and not message.fuzzy


def untranslated(project: Project) -> dict[str, list[str]]:
    """By language: each text of the code that its .po lacks, leaves empty, marks fuzzy or
    translates with placeholders that do not match."""
    template = extract(project)
    gaps: dict[str, list[str]] = {}
    for language in LANGUAGES:
        catalog = _read(_po(project, language), language)
        missing = []
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, context=message.context)
            if found is None or not _translated(found):
                missing.append(_label(message.id))
            elif list(found.check(catalog)):
                missing.append(f"{_label(message.id)} (placeholders differ)")
        if missing:
            gaps[language] = missing
    return gaps


def _label(msgid) -> str:
    return msgid[0] if isinstance(msgid, (list, tuple)) else msgid


def compile_folder(folder: Path) -> list[Path]:
    """Compile every ``<language>/LC_MESSAGES/*.po`` under ``folder`` to its .mo; return them."""
    written = []
    for po in sorted(folder.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def compile_all(root: Path = ROOT) -> list[Path]:
    """Compile the catalogues of the core and every built-in plugin."""
    return [mo for project in projects(root) for mo in compile_folder(project.folder)]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "update":
        for project in projects():
            update(project)
        return 0
    if command == "compile":
        print(f"{len(compile_all())} catalogues compiled")
        return 0
    if command == "check":
        gaps = {(p.name, lang): texts for p in projects() for lang, texts in untranslated(p).items()}
        for (name, language), texts in sorted(gaps.items()):
            print(f"{name} [{language}]: {len(texts)} untranslated")
            for text in texts:
                print("   ", text)
        return 1 if gaps else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
