"""Access: the policy decision point for every read and write of personal data."""
