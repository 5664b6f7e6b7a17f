"""End-to-end benchmark of `berjasa run` from city size to national size (see README.md)."""
