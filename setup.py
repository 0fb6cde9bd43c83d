"""Builds the one C extension; everything else about the package is in pyproject.toml.

The extension (signage/render/_blend.c, the crossfade's blend loop) is optional: where
no C compiler is at hand the install still succeeds and crossfades use pygame's slower
blend (signage/render/blend.py says which one runs; `signage bench` prints it).
"""

from setuptools import Extension, setup

setup(ext_modules=[
    Extension("signage.render._blend", ["signage/render/_blend.c"],
              # -O3 turns on the loop vectoriser; the code is plain C99.
              extra_compile_args=["-O3", "-std=c99"], optional=True),
])
