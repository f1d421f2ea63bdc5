"""Plugins that nothing imports by name: pkg_dynamic.py loads them with
importlib.import_module from names built at run time."""
AVAILABLE = ["alpha", "beta"]
