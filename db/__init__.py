"""Tortoise ORM models and query functions for VoxBento Kiosk."""
