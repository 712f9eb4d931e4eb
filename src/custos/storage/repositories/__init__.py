"""Repositories: SQL for each context, no commits (the unit of work commits)."""
