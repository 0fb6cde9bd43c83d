"""The display side: owns the panel.

`loop` is the frame loop (desired state -> stage -> compositor -> driver) and builds the
player; `wanted` reads the desired state it follows from the store; `panel_control`
applies brightness, power and test patterns off the loop; `proof` records what was shown;
`snapshot` writes the picture technicians see; `status` builds the status document;
`housekeeping` saves the time mark and prunes old plays off the loop; `watchdog` tells
systemd the loop is alive.

May import: pygame, `drivers`, `signage.media`, `signage.render`, `signage.store`,
`signage.schedule`, `signage.content` and the top-level modules. Never: fastapi,
starlette, or the packages above it (services, api, console, cli)."""
