"""The `mediacenter` command-line tool: bulk uploads, search, listings and operator commands."""
