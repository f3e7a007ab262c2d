"""The embedded default for a laptop: DEBUG on, SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
from .base import CLICKLEDGER, env

DEBUG = env.bool("DEBUG", default=True)
# Settings whose default follows DEBUG are read again now that DEBUG is on: base.py read them
# while DEBUG was still base's False (the demo landing pages answered 404 under scripts/demo).
CLICKLEDGER["TRACKER_DEMO_PAGES"] = env.bool("TRACKER_DEMO_PAGES", default=DEBUG)
