"""Jinja templates, shipped inside the wheel as the package `derive.templates`."""
