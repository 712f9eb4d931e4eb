"""Data-subject rights: requests, their statutory deadlines, and erasure on completion."""
