"""Entry points: REST API, CLI and web. Thin: parse, call a service, render."""
