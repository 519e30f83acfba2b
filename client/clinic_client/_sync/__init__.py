# Generated from _async/__init__.py by `make client-code` (ops/client_code.py): do not edit.
