"""Installing the package shows no setuptools warning: every folder that ships data is a
package that setup.cfg declares (a data folder outside `packages` "would be ignored")."""

from __future__ import annotations

import configparser

from helpers.paths import ROOT
from setuptools import find_namespace_packages

PACKAGE = ROOT / "audit_rules"


def _setup_cfg() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    return config


def _data_folders() -> set[str]:
    """Dotted names of the folders under audit_rules holding files other than Python code."""
    folders = set()
    for path in PACKAGE.rglob("*"):
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts:
            folders.add(".".join(path.parent.relative_to(ROOT).parts))
    return folders


def test_every_data_folder_is_a_declared_package():
    config = _setup_cfg()
    assert config["options"]["packages"].strip() == "find_namespace:"
    include = config["options.packages.find"]["include"].split()
    packages = set(find_namespace_packages(where=str(ROOT), include=include))
    assert _data_folders() <= packages


def test_the_report_template_is_package_data_of_its_own_package():
    package_data = _setup_cfg()["options.package_data"]
    assert "*.j2" in package_data["audit_rules.reports.templates"]
    assert "reports/templates" not in package_data["audit_rules"]
