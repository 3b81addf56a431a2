"""Everything that touches the web: feeds, fetching, the address guard, charsets, extraction. No SQL."""
