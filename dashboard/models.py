"""Dashboard models (audit reports) live here."""
