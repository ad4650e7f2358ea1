"""The documentation's code examples run and print what the pages say."""

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"
PAGES = [
    "getting_started.rst",
    "user_guide.rst",
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
