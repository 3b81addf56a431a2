"""storywatch: follow news storylines and alert on their new developments."""

from storywatch.config import Settings, load_settings
from storywatch.errors import ConfigError, DatabaseBusy, StorywatchError

__version__ = "0.1.0"
__all__ = ["ConfigError", "DatabaseBusy", "Settings", "StorywatchError", "load_settings"]
