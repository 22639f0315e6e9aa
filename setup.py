"""Copy ``prompts/``, ``datasets/`` and ``config.example.yaml`` into the wheel.

They live at the repository root so they can be edited without a rebuild;
``agentops_cli.resources`` finds them there in a checkout and under
``agentops_cli/_data/`` in an installed wheel.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
SHIPPED = ["prompts", "datasets", "config.example.yaml"]


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "agentops_cli" / "_data"
        for name in SHIPPED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, dirs_exist_ok=True)
            elif source.is_file():
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithData})
