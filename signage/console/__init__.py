"""The staff console: web pages for content staff, approvers and technicians, at / of the
server that serves the REST API at /api (`signage api`, console/app.py).

Server-rendered pages over the same `signage.services` functions as the REST API, so no rule
is written twice:
- app.py puts the console on the API's app and answers its refusals as pages;
- auth.py: the session cookie, the roles a page needs (`page_for`, `action_for`), CSRF;
- views.py: Jinja2 (autoescaped) per language, the page headers (CSP), static URLs;
- i18n.py: gettext catalogs read with Babel, locale/vi/LC_MESSAGES/<page>.po (English is
  the source, Vietnamese the default); forms.py: refusals in the person's words;
- pages.py: the list of pages (menu, screenshots, accessibility tests, benchmark);
- routes/<page>.py, templates/<page>.html, static/<page>.js|css: one page each.

May import: `signage.api` (to compose the app, its login and observed-state readers; never
its routes' handlers for pages), `signage.services` and everything below it, and
`drivers.registry`'s facts. Never: `signage.player`, the drivers' devices, `signage.cli`.
"""
