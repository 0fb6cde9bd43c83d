"""Rendering: fonts and text layout, item renderers, transitions, compositor."""
