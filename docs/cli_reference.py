"""A Sphinx directive that renders the ``skdigit`` command's help from its parser.

``.. skdigit-cli::`` prints the help of the main command, then of each subcommand, so
the CLI reference can never drift from the code.
"""

import argparse

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from skdigit.cli import build_parser

HELP_WIDTH = 88


def _subcommands(parser):
    """The (name, parser) pairs of the subcommands, in the order they were added."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices.items())
    return []


def _help_text(parser):
    formatter = parser.formatter_class
    parser.formatter_class = lambda prog: formatter(prog, width=HELP_WIDTH)
    try:
        return parser.format_help()
    finally:
        parser.formatter_class = formatter


class CliReference(SphinxDirective):
    """Render ``skdigit --help`` and ``skdigit <command> --help``."""

    def run(self):
        parser = build_parser()
        sections = [("skdigit", parser), *_subcommands(parser)]
        result = []
        for name, subparser in sections:
            title = name if name == "skdigit" else f"skdigit {name}"
            section = nodes.section(ids=[nodes.make_id(f"cli-{title}")])
            section += nodes.title(text=title)
            section += nodes.literal_block(text=_help_text(subparser))
            result.append(section)
        return result


def setup(app):
    app.add_directive("skdigit-cli", CliReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
