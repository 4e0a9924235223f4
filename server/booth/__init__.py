"""The live booths: the pure state machine (who is in a booth, who holds the mic, handovers),
its records and snapshots, its permission checks and the names shown in a booth. The state
machine imports only the standard library and takes its clock from the caller."""
