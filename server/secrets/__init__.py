"""The kiosk's own secrets: the secrets file, Fernet keys for data at rest, and masking of
secrets and tokens in every log line."""
