"""Command line: click commands that parse options, call the library and print. No logic here."""

from __future__ import annotations

import click

from audit_rules import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


@click.group(context_settings=CONTEXT_SETTINGS, help="audit-rules：行政事业单位台账合规检查工具。")
@click.version_option(__version__, "-V", "--version", message="audit-rules %(version)s")
def main() -> None:
    pass


# ---- inspect (ledgers) ----------------------------------------------------------------------

# ---- rules (catalogue) ----------------------------------------------------------------------

# ---- check / quality (pipeline) -------------------------------------------------------------
