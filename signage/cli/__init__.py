"""The `signage` command: one module per group of subcommands.

`main` parses the command line and holds the content commands (validate, preview, import,
run, player, api); `devices`, `emergency`, `people` and `schedule` hold their groups;
`supervisor` runs the player and the API as children for `signage run`; `actor` says who
acts at the console (`console:<login>`) for the audit log.

The top of the import order: may import any signage package and `drivers`."""
