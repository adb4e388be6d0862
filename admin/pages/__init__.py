"""Admin pages; each module adds its routes to the admin blueprint."""
from .. import auth  # noqa: F401
from . import alerts, announcements, checkins, coverage, dashboard, lessons, officials, residents  # noqa: F401
