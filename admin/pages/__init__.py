"""Admin pages; each module adds its routes to the admin blueprint."""
from admin import auth  # noqa: F401
from admin.pages import alerts, announcements, checkins, coverage, dashboard, lessons, officials, residents  # noqa: F401
