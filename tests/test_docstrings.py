"""Every public name, and every public method skdigit defines, shows an example."""

import inspect

import pytest

import skdigit


def public_objects():
    for name in skdigit.__all__:
        obj = getattr(skdigit, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        yield name, obj
        if inspect.isclass(obj):
            for method_name, method in vars(obj).items():
                if not method_name.startswith("_") and inspect.isfunction(method):
                    yield f"{name}.{method_name}", method


@pytest.mark.parametrize(("name", "obj"), list(public_objects()))
def test_public_docstring_has_a_doctested_example(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert "Examples\n--------" in doc, f"{name} has no Examples section"
    assert ">>> " in doc.split("Examples\n--------", 1)[1], f"{name}: empty Examples"
