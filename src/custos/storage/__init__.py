"""Storage: engine and connections, tables, repositories, unit of work, migrations."""
