"""Time and the schedule: pure, no I/O but the clock's value passed in.

Schedule documents and their rules (`rules`), where each rule holds (`spans`), what plays
when and the power hours (`resolver`), warnings about a schedule (`findings`), brightness
by the sun (`brightness`), a day stretch by stretch (`plan`; `signage.render.weekchart`
draws a week of it), whether the clock can be believed (`trusted_time`), the desired
state as values (`state`: emergencies, overrides, live content) and the decision the
player follows (`desired`).

May import: the standard library, astral, cronsim, `signage.content` and the top-level
`signage.clock`, `signage.errors`. Never: pygame, sqlite3, fastapi, starlette, serial, av."""
