"""The console's screens, one per file, each with a sibling .tcss."""
