"""Tools for developers, not for the wall: `signage bench` (`bench`, which plays the
`scenes` and times them with `timing`; films play in real time in `filmbench`), the naive reference renderer it compares against
(`naive`), and `signage loadtest` (`loadtest`); Debian's Chromium driven by Playwright for
the browser tests and the console screenshots (`browser`), with the axe-core they inject
(`browserlibs`).

They measure the player and the store from outside, so they sit just below `cli` in the
import order: they may import any package but `cli`, `api` and `console`."""
