"""The build compiles the gettext catalogues (.po -> .mo) before the package's files are
collected, so a wheel or an editable install carries them ready to load."""
import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithCatalogues(build_py):
    def run(self):
        # organizer/catalogues.py needs Babel only, so it loads without the package's
        # other dependencies (not installed in an isolated build).
        spec = importlib.util.spec_from_file_location("organizer_catalogues",
                                                      HERE / "organizer" / "catalogues.py")
        catalogues = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = catalogues  # dataclasses look their module up
        spec.loader.exec_module(catalogues)
        catalogues.compile_all(HERE)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues})
