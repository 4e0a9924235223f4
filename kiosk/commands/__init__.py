"""The command groups of the `voxbento-kiosk` command line, one module each."""
