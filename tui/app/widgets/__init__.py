"""Widgets of the Sobesednik screens."""
