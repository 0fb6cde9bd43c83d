"""The staff console: web pages for content staff, approvers and technicians.

Server-rendered pages (routes, templates/, static/, translations in vi and en) over the same
`signage.services` functions as the REST API, so no rule is written twice. Empty until the
console is built.

May import: `signage.services`, `signage.store`, `signage.render`, `signage.schedule`,
`signage.content`, the top-level modules and `drivers.registry`'s facts. Never: `signage.player`,
the drivers' devices, `signage.api` or `signage.cli`.
"""
