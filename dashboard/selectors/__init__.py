"""Read-side of the dashboard: plain functions with keyword-only arguments and a fixed query count."""
