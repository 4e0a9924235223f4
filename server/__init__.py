"""VoxBento Kiosk server: HTTP, WebSocket, booth state, auth and media supervision."""

__version__ = "0.1.0"
