"""The documentation: its examples run, its build works offline, its pages hold up."""

import doctest
import runpy
import sys
import zlib
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"
PAGES = [
    "getting_started.rst",
    "user_guide.rst",
    "own_digits.rst",
    "scaling_out.rst",
    "scaling_out_torch.txt",  # included in scaling_out.rst
]
# Pages whose examples need optional libraries.
NEEDS = {"scaling_out.rst": ["dask.array"], "scaling_out_torch.txt": ["torch"]}


@pytest.mark.parametrize("page", PAGES)
def test_documentation_examples(page):
    for module in NEEDS.get(page, []):
        pytest.importorskip(module)
    result = doctest.testfile(
        str(DOCS / page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 0, f"{page} has no examples to run"
    assert result.failed == 0, f"{result.failed} example(s) of {page} failed"


@pytest.fixture
def docs_modules(monkeypatch):
    """docs/ importable (its Sphinx extension, its page checker), sys.path restored."""
    monkeypatch.setattr(sys, "path", [str(DOCS), *sys.path])


def test_offline_build_has_a_local_inventory_for_each_linked_project(docs_modules):
    # Offline, intersphinx warns (an error under -W) unless one of a project's
    # inventories can be read: each must have a readable local one after the remote.
    conf = runpy.run_path(str(DOCS / "conf.py"))
    assert conf["intersphinx_mapping"]
    for name, (_url, locations) in conf["intersphinx_mapping"].items():
        assert isinstance(locations, tuple), f"{name}: only {locations!r}"
        local = [where for where in locations if where and "://" not in where]
        assert local, f"{name}: no local inventory among {locations!r}"
        for where in local:
            header, _, body = (DOCS / where).read_bytes().partition(b"zlib.\n")
            assert header.startswith(b"# Sphinx inventory version 2\n"), where
            zlib.decompress(body)


def test_cli_reference_shows_the_help_of_an_80_column_terminal(
    docs_modules, monkeypatch
):
    pytest.importorskip("sphinx")
    import cli_reference
    from docutils import nodes

    from skdigit.cli import build_parser

    parser = build_parser()
    blocks = [
        section.next_node(nodes.literal_block)
        for section in cli_reference.help_sections(parser)
    ]
    # argparse lays help out for a terminal of COLUMNS columns, less 2.
    monkeypatch.setenv("COLUMNS", str(cli_reference.HELP_WIDTH + 2))
    parsers = [parser, *(sub for _, sub in cli_reference._subcommands(parser))]
    assert [block.astext() for block in blocks] == [p.format_help() for p in parsers]
    assert {block["language"] for block in blocks} == {"text"}


def test_page_checker_finds_missing_pages_and_anchors(docs_modules, tmp_path):
    import check_pages

    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(
        '<h1 id="top">Top</h1><a href="#top">ok</a> <a href="sub/page.html#here">ok</a>'
        ' <a href="sub/page.html#gone">bad</a> <a href="missing.html">bad</a>'
        ' <a href="https://example.org/x.html">external</a> <img src="pic.png">'
    )
    (tmp_path / "sub" / "page.html").write_text(
        '<p id="here">Here</p><a href="../index.html#top">ok</a>'
    )
    found = [
        (page.name, href, why) for page, href, why in check_pages.broken_links(tmp_path)
    ]
    assert found == [
        ("index.html", "sub/page.html#gone", "no such anchor"),
        ("index.html", "missing.html", "no such file"),
        ("index.html", "pic.png", "no such file"),
    ]


def _a_site(folder, body):
    (folder / "index.html").write_text(
        '<html><head><meta name="viewport" content="width=device-width"></head>'
        f'<body style="margin: 0"><article style="padding: 0 8px">{body}</article>'
        "</body></html>"
    )
    return folder


def test_page_checker_without_playwright_says_how_to_install_it(
    docs_modules, tmp_path, monkeypatch, capsys
):
    import check_pages

    site = _a_site(tmp_path, "<p>Hello</p>")
    monkeypatch.setitem(sys.modules, "playwright", None)  # as if not installed
    with pytest.raises(SystemExit) as stopped:
        check_pages.main([str(site), "--browser"])
    assert stopped.value.code == 2
    message = capsys.readouterr().err
    assert message.count("\n") == 1 and "pip install playwright" in message


def test_page_checker_without_chromium_says_where_it_looked(
    docs_modules, tmp_path, capsys
):
    pytest.importorskip("playwright")
    import check_pages

    site = _a_site(tmp_path, "<p>Hello</p>")
    missing = str(tmp_path / "no-chromium")
    with pytest.raises(SystemExit) as stopped:
        check_pages.main([str(site), "--browser", "--chromium", missing])
    assert stopped.value.code == 2
    message = capsys.readouterr().err
    assert missing in message and "apt-get install chromium" in message


def test_page_checker_at_a_phones_width(docs_modules, tmp_path):
    pytest.importorskip("playwright")
    import check_pages

    if check_pages.browser_missing("chromium"):
        pytest.skip("no Chromium")
    long_line = "x = " + "1 + " * 60 + "1"
    site = _a_site(
        tmp_path,
        f"<pre>{long_line}</pre>"  # the screen's width: scrolls unavoidably
        f'<div style="margin-left: 60px"><pre>{long_line}</pre></div>'
        '<table><tr><td style="white-space: nowrap">' + "word " * 40 + "</td></tr>"
        "</table><h2>Fits</h2>",
    )
    found = check_pages.layout_problems(site, [390, 800], "chromium")
    kinds = sorted((width, kind) for _, width, kind, _ in found)
    assert kinds == [
        (390, "cut-off"),
        (390, "scrolling"),
        (390, "unavoidable"),
        (800, "cut-off"),
        (800, "scrolling"),
        (800, "scrolling"),  # no phone: the full-width block counts too
    ]
