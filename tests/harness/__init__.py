"""The one test harness: a fake clock, and one factory for a running kiosk or console.

- `clock.FakeClock`: the only fake clock; time moves when the test says so.
- `app`: config and services for tests, `running_kiosk(...)` (the real app on a loopback port,
  with a client session and token helpers) and `running_console(...)` (the Textual console
  with its pilot).

Domain helpers (seed data, frame readers, form posting) live in the `*_support` modules next
to this package and build on it.
"""
