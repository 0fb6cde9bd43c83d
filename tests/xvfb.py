"""The tests' X server lives in signage.devtools.xvfb (the bench measures on it too);
this name stays for tests written against it."""

from signage.devtools.xvfb import Xvfb, xvfb_missing  # noqa: F401
