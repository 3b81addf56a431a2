"""Everything that touches DuckDB: schema migrations, the connection and lock policy, writes, analyst views. No HTTP."""
