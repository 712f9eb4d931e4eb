"""Demo data: synthetic customers with valid check digits, generated per catalog field format."""
