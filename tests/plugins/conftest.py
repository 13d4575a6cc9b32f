"""The example plug-in installed for one test, and gone afterwards."""

from __future__ import annotations

import sys
import warnings

import pytest

from assay.plugins import PluginWarning, reload_plugins
from tests.plugins.installed import install_example_plugin


def uninstall(site) -> None:
    """Take the plug-in off ``sys.path`` and out of every registry."""
    if str(site) in sys.path:
        sys.path.remove(str(site))
    for module in [name for name in sys.modules if name.startswith("assay_example_plugin")]:
        del sys.modules[module]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        reload_plugins()


@pytest.fixture
def example_plugin(tmp_path):
    """The example plug-in, installed on ``sys.path`` and loaded into the registries."""
    site = install_example_plugin(tmp_path / "site")
    sys.path.insert(0, str(site))
    try:
        reload_plugins()
        yield site
    finally:
        uninstall(site)
