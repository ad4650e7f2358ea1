"""A Sphinx directive that renders the ``skdigit`` command's help from its parser.

``.. skdigit-cli::`` prints the help of the main command, then of each subcommand, so
the CLI reference can never drift from the code. The help is laid out as in an
80-column terminal, which fits the page's text column, and shown as plain text.
"""

import argparse

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from skdigit.cli import build_parser

# Columns of the help text: a usual terminal's, and what a page's code block holds.
HELP_WIDTH = 80


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


def help_sections(parser):
    """One section per command: its title and its help, as plain text."""
    sections = []
    for name, subparser in [("skdigit", parser), *_subcommands(parser)]:
        title = name if name == "skdigit" else f"skdigit {name}"
        section = nodes.section(ids=[nodes.make_id(f"cli-{title}")])
        section += nodes.title(text=title)
        help_text = _help_text(subparser)
        # Plain text: help is not Python, and a lexer would colour its words.
        section += nodes.literal_block(help_text, help_text, language="text")
        sections.append(section)
    return sections


class CliReference(SphinxDirective):
    """Render ``skdigit --help`` and ``skdigit <command> --help``."""

    def run(self):
        return help_sections(build_parser())


def setup(app):
    app.add_directive("skdigit-cli", CliReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
