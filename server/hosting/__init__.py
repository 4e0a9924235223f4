"""Putting the app on the network: binding ports with one-line failures, the TLS certificate,
the machine's LAN addresses and the runner that both `serve` and the console use."""
