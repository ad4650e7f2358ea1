"""The package version, in a module that imports nothing, so that any module can
ask for it without importing the package's ``__init__``."""

__version__ = "0.1.0"
