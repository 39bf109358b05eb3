"""The manager's views."""
