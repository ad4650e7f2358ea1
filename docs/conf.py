"""Sphinx configuration for the skdigit documentation."""

import os
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
# Only skdigit's own methods are documented: the ones inherited from scikit-learn
# (get_params, set_params, score, ...) are documented there.
autodoc_default_options = {
    "members": True,
    # Metadata-routing setters scikit-learn generates for fit(..., sample_weight).
    "exclude-members": "set_fit_request, set_score_request",
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "scipy": ("https://docs.scipy.org/doc/scipy/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
    "matplotlib": ("https://matplotlib.org/stable/", None),
}
# The build machines have no internet: intersphinx then fails quietly, as a warning,
# so offline builds turn it off (SKDIGIT_DOCS_OFFLINE=1) to keep -W builds green.
if os.environ.get("SKDIGIT_DOCS_OFFLINE"):
    intersphinx_mapping = {}

sphinx_gallery_conf = {
    "examples_dirs": str(DOCS.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "reference_url": {"skdigit": None},
    # "Examples using ..." sections on the API pages.
    "backreferences_dir": "generated",
    "doc_module": ("skdigit",),
}

html_theme = "pydata_sphinx_theme"
html_title = f"skdigit {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = ["_static"]
