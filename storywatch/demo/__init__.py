"""The offline demo: a bundled sample news site that publishes in waves."""
