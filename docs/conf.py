"""Sphinx configuration for the skdigit documentation."""

import sys
from pathlib import Path

import skdigit

DOCS = Path(__file__).parent
sys.path.insert(0, str(DOCS))

project = "skdigit"
author = "The skdigit developers"
copyright = "2026, The skdigit developers"
release = skdigit.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "cli_reference",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
default_role = "literal"

autosummary_generate = True
autodoc_default_options = {"members": True}
# Each class page lists its methods, inherited ones included (score, get_params,
# set_output, set_fit_request...), in the table of autosummary/class.rst.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# Links to other projects' documentation. Each inventory is fetched from the project's
# site first; where that fails (no network) an empty inventory shipped here is read
# instead, so Sphinx only notes the failure and the build, -W included, goes on, with
# those links left as plain text. The timeout keeps a network that drops packets from
# stalling the build. An incremental build reuses the inventories it has for
# `intersphinx_cache_limit` days: build afresh (-E) once online to get the links.
OFFLINE_INVENTORY = "_intersphinx/empty.inv"
intersphinx_mapping = {
    name: (url, (None, OFFLINE_INVENTORY))
    for name, url in {
        "python": "https://docs.python.org/3/",
        "numpy": "https://numpy.org/doc/stable/",
        "scipy": "https://docs.scipy.org/doc/scipy/",
        "sklearn": "https://scikit-learn.org/stable/",
        "matplotlib": "https://matplotlib.org/stable/",
    }.items()
}
intersphinx_timeout = 10

sphinx_gallery_conf = {
    "examples_dirs": str(DOCS.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    # "Examples using ..." sections on the API pages.
    "backreferences_dir": "generated",
    "doc_module": ("skdigit",),
}

html_theme = "pydata_sphinx_theme"
html_title = f"skdigit {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
# No left sidebar: the header's tabs are the site's navigation, the API reference
# lists every public name, and code blocks of 88 columns get the width to fit
# beside the "On this page" column. (The theme's sidebar showed an empty "Section
# Navigation" on most pages and squeezed the content to 620 pixels at 1280.)
html_sidebars = {"**": []}
# "On this page" lists a class's methods as "fit()", not "GDLogisticRegression.fit()".
toc_object_entries_show_parents = "hide"
html_static_path = ["_static"]
html_css_files = ["skdigit.css"]


# scikit-learn's docstrings, shown for the inherited methods, refer to its user guide
# and glossary (:ref:`metadata_routing`, :term:`meta-estimator`). Online, intersphinx
# links them to scikit-learn's site; offline they are left as plain text, as other
# projects' links are, instead of failing the build. Only references in scikit-learn's
# docstrings are let through so, and in the methods tables' one-line summaries (a
# summary's broken reference also breaks the full docstring, which still fails).
def _leave_sklearns_own_references_as_text(app, env, node, contnode):
    source = node.source or ""
    if node.get("refdomain") == "std" and (
        ":docstring of sklearn." in source or "<autosummary>" in source
    ):
        return contnode
    return None


def setup(app):
    # After intersphinx (priority 500), which links them when it has the inventory.
    app.connect(
        "missing-reference", _leave_sklearns_own_references_as_text, priority=900
    )
