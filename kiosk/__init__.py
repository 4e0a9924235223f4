"""The technician's console (Textual) and the command line."""
