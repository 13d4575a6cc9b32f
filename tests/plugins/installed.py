"""Installing the example plug-in the way pip leaves it: the package and its ``.dist-info``.

``importlib.metadata`` finds a distribution by its ``.dist-info`` folder on ``sys.path``; the
entry points are read from its ``entry_points.txt``, written here from the example's own
``pyproject.toml``. That is what ``pip install`` writes, without building a wheel.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

EXAMPLE = Path(__file__).with_name("example_plugin")


def install_example_plugin(site: Path, extra_entry_points: dict | None = None) -> Path:
    """Put the example plug-in in ``site`` (a folder for ``sys.path``); returns ``site``.

    Args:
        site: Where to install.
        extra_entry_points: ``{group: {name: "module:object"}}`` added to the example's own.
    """
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    groups = {group: dict(points) for group, points in project["entry-points"].items()}
    for group, points in (extra_entry_points or {}).items():
        groups.setdefault(group, {}).update(points)
    site.mkdir(parents=True, exist_ok=True)
    shutil.copytree(EXAMPLE / "assay_example_plugin", site / "assay_example_plugin")
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        f"Summary: {project['description']}\n"
    )
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in points.items()) + "\n"
            for group, points in groups.items()
        )
    )
    (info / "top_level.txt").write_text("assay_example_plugin\n")
    return site
