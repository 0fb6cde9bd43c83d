"""One door per action: every change a person can make is one function here.

Each function checks (content, permissions), writes through the store and audits, and
raises problems that carry a stable code and parameters, so the REST routes, the console and
the CLI stay thin adapters that only parse, call and present: `revisions` (save a draft,
submit, approve, reject, roll back), `assets` (upload, delete), `films` (film uploads and their background transcode), `emergency` (post, cancel),
`panel` (set, clear overrides), `people` (users, tokens), `importer` (content files) and
`preview` (a revision's frame); `errors` holds the refusals (NotFound, Conflict, Forbidden,
Invalid), each with a code and its parameters. A function takes the store's
repositories it uses (`store.revisions`, `store.assets`, ...); the importer, which fills a
whole store, takes the Store.

May import: `signage.player` (for previews drawn by the player's renderer), `signage.media`,
`signage.render`, `signage.store`, `signage.schedule`, `signage.content`, `drivers`'
registry and the top-level modules. Never: fastapi, starlette, or api, console, cli."""
