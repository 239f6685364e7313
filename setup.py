"""Everything about the package is in pyproject.toml; this only adds the help pages.

The user guide and the exercise format are written once, in docs/, where they read well on
the web; building the package copies them, with the pictures they show, into
tutor/resources/help/ so the installed app can display them (tutor/ui/help/pages.py).
"""

import re
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HELP_PAGES = ("guide.md", "exercise-format.md")
DOCS = Path(__file__).resolve().parent / "docs"
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")  # ![alt](images/x.png)


def help_files() -> list[Path]:
    """The pages and every local picture they show, as paths below docs/."""
    files = []
    for page in HELP_PAGES:
        files.append(Path(page))
        text = (DOCS / page).read_text(encoding="utf-8")
        files += [Path(m) for m in IMAGE.findall(text) if "://" not in m]
    return list(dict.fromkeys(files))


class BuildPyWithHelp(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # a checkout reads docs/ directly
            return
        target = Path(self.build_lib) / "tutor" / "resources" / "help"
        for relative in help_files():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(DOCS / relative, target / relative)


setup(cmdclass={"build_py": BuildPyWithHelp})
