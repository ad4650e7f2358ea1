"""Check the built HTML documentation the way a reader meets it.

Two checks over every page of a built site (``docs/_build/html`` by default):

* links: every local ``href``/``src`` points at a file that exists and, for
  ``page.html#anchor``, at an ``id`` that exists on that page. This needs nothing but
  the standard library.
* layout (with ``--browser``): each page is opened in headless Chromium at each
  ``--width`` (1280 and 800 pixels, and a phone's 390, by default); counted are the
  code blocks that scroll sideways (``scrollWidth > clientWidth``), the headings
  wider than their box or than the content column, and the tables wider than their
  box (whose right-hand columns, the descriptions of an API table, are cut off).
  Below 600 pixels a code block whose lines are longer than the screen is wide
  scrolls unavoidably: that is allowed when the block has the screen's whole width
  (less 40 pixels), and counted apart.

Usage::

    python docs/check_pages.py docs/_build/html
    python docs/check_pages.py docs/_build/html --browser --width 390 \\
        --screenshots /tmp/shots

``--browser`` needs Playwright (``pip install playwright``) and a Chromium binary
(``--chromium``, default ``/usr/bin/chromium``: Debian's package ``chromium``). The
exit status is 1 when any link is broken or any block scrolls, heading clips or
table is cut off; 2 when ``--browser`` lacks one of them.
"""

import argparse
import contextlib
import functools
import http.server
import importlib.util
import posixpath
import shutil
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Flags that keep Chromium from reaching for the network at start (this machine has
# none) and let it run as root without a display.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Below this viewport width (a phone's), a code block may scroll if it has the
# screen's whole width less FULL_WIDTH_SLACK pixels: its lines are longer than any
# layout could fit.
PHONE_WIDTH = 600
FULL_WIDTH_SLACK = 40

# What each kind of problem is, in the summary lines.
KINDS = {
    "scrolling": "scrolling code blocks",
    "clipped": "clipped headings",
    "cut-off": "tables cut off",
}

# Runs in the page: the code blocks that scroll sideways, the headings that do not
# fit and the tables wider than their box, each as a short description. A heading
# "clips" when its text is wider than its own box or reaches past the right edge of
# the article it belongs to. A scrolling block that has the screen's whole width, on
# a phone, goes to "unavoidable" instead.
LAYOUT_PROBE = """([phoneWidth, slack]) => {
  const visible = (e) => e.offsetParent !== null;
  const label = (e) => e.textContent.trim().replace(/\\s+/g, " ").slice(0, 60);
  const wide = (e) => e.scrollWidth > e.clientWidth + 1;
  const phone = window.innerWidth < phoneWidth;
  const fullWidth = (e) =>
    e.getBoundingClientRect().width >= window.innerWidth - slack;
  const describe = (e) => `${e.scrollWidth}px in ${e.clientWidth}px: ${label(e)}`;
  const blocks = [...document.querySelectorAll("pre")].filter(
    (e) => visible(e) && wide(e));
  const unavoidable = blocks.filter((e) => phone && fullWidth(e));
  const scrolling = blocks.filter((e) => !unavoidable.includes(e)).map(describe);
  const article = document.querySelector("article") || document.body;
  const edge = article.getBoundingClientRect().right;
  const clipped = [...article.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .filter((e) => visible(e) && (wide(e)
      || e.getBoundingClientRect().right > edge + 1))
    .map((e) => `${e.tagName.toLowerCase()} ${label(e)}`);
  const cutOff = [...article.querySelectorAll("table")]
    .filter((e) => visible(e) && (e.getBoundingClientRect().width
      > e.parentElement.clientWidth + 1 || e.getBoundingClientRect().right > edge + 1))
    .map((e) => `${Math.round(e.getBoundingClientRect().width)}px in `
      + `${e.parentElement.clientWidth}px: ${label(e)}`);
  return {scrolling, clipped, "cut-off": cutOff,
          unavoidable: unavoidable.map(describe)};
}"""


class _PageParser(HTMLParser):
    """Collect a page's anchors (``id``/``name``) and its local links."""

    def __init__(self):
        super().__init__()
        self.anchors = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.anchors.add(attrs[key])
        for key in ("href", "src"):
            target = attrs.get(key)
            if target and not urlsplit(target).scheme and not target.startswith("//"):
                self.links.append(target)


@functools.cache
def _parse(path):
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _pages(site):
    """The site's pages, less the theme's template fragments under ``_static``."""
    return [p for p in sorted(site.rglob("*.html")) if "_static" not in p.parts]


def broken_links(site):
    """``(page, href, why)`` for each local link of ``site`` that leads nowhere."""
    broken = []
    for page in _pages(site):
        for href in _parse(page).links:
            parts = urlsplit(href)
            path = unquote(parts.path)
            target = page if not path else page.parent / path
            if target.is_dir():
                target = target / "index.html"
            if not target.resolve().is_relative_to(site.resolve()):
                continue  # e.g. the "Download source" link to a repository file
            if not target.exists():
                broken.append((page, href, "no such file"))
            elif (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in _parse(target).anchors
            ):
                broken.append((page, href, "no such anchor"))
    return broken


@contextlib.contextmanager
def _serve(site):
    """Serve ``site`` on a free port of 127.0.0.1, as a reader's browser sees it."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def browser_missing(chromium):
    """Why ``--browser`` cannot run here, with the fix, in one line; or None."""
    if importlib.util.find_spec("playwright") is None:
        return (
            "--browser needs Playwright, which is not installed: "
            "pip install playwright (or pip install -e '.[dev]')"
        )
    if shutil.which(chromium) is None:
        return (
            f"--browser needs Chromium, and there is none at {chromium}: "
            "apt-get install chromium, or pass --chromium PATH"
        )
    return None


def layout_problems(site, widths, chromium, screenshots=None):
    """``(page, width, kind, what)`` for each scrolling block, clipped heading and
    table cut off, and for each block that scrolls unavoidably on a phone (kind
    ``"unavoidable"``, not a problem)."""
    from playwright.sync_api import sync_playwright

    pages = [p.relative_to(site).as_posix() for p in _pages(site)]
    problems = []
    with _serve(site) as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which(chromium) or chromium, args=CHROMIUM_ARGS
        )
        try:
            for width in widths:
                tab = browser.new_page(viewport={"width": width, "height": 900})
                for page in pages:
                    tab.goto(f"{root}/{page}", wait_until="load")
                    found = tab.evaluate(LAYOUT_PROBE, [PHONE_WIDTH, FULL_WIDTH_SLACK])
                    for kind, whats in found.items():
                        problems += [(page, width, kind, what) for what in whats]
                    if screenshots is not None:
                        name = posixpath.splitext(page)[0].replace("/", "__")
                        path = screenshots / f"{name}-{width}.png"
                        tab.screenshot(path=str(path), full_page=True)
                tab.close()
        finally:
            browser.close()
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=Path("docs/_build/html"))
    parser.add_argument(
        "--browser", action="store_true", help="also check the layout in Chromium"
    )
    parser.add_argument(
        "--width",
        type=int,
        action="append",
        dest="widths",
        help="viewport width in pixels (repeatable; default 1280, 800 and 390)",
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument(
        "--screenshots", type=Path, help="folder for a PNG of each page at each width"
    )
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site} holds no index.html: build the documentation first")
    missing = args.browser and browser_missing(args.chromium)
    if missing:
        parser.exit(2, f"{parser.prog}: {missing}\n")

    pages = _pages(args.site)
    broken = broken_links(args.site)
    for page, href, why in broken:
        print(f"broken link: {page.relative_to(args.site)}: {href} ({why})")
    print(f"{len(pages)} pages, {len(broken)} broken local links")
    failed = bool(broken)

    if args.browser:
        if args.screenshots is not None:
            args.screenshots.mkdir(parents=True, exist_ok=True)
        widths = args.widths or [1280, 800, 390]
        found = layout_problems(args.site, widths, args.chromium, args.screenshots)
        problems = [found_one for found_one in found if found_one[2] in KINDS]
        for page, width, kind, what in problems:
            print(f"{kind} at {width}px: {page}: {what}")
        for width in widths:
            for kind, name in {**KINDS, "unavoidable": None}.items():
                at_width = [p for p in found if p[1] == width and p[2] == kind]
                if name is None:  # informative only
                    if at_width:
                        print(
                            f"{width}px: {len(at_width)} code blocks with lines longer "
                            "than the screen is wide scroll, at full width "
                            f"(allowed), on {len({p[0] for p in at_width})} pages"
                        )
                    continue
                print(
                    f"{width}px: {len(at_width)} {name} on "
                    f"{len({p[0] for p in at_width})} pages"
                )
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
