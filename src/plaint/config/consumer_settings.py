"""Settings of the local consumer workspace that `plaint consumer` starts: the consumer's
pages at the root of 127.0.0.1, no account, its own SQLite file in the data folder the
command chose (PLAINT_DATA_DIR and DATABASE_URL, set by the command), nothing sent
anywhere (no SMTP: e-mails are drafts the consumer sends from their own mail program)."""

from __future__ import annotations

from plaint.config.settings import *  # noqa: F403
from plaint.config.settings import MIDDLEWARE

ROOT_URLCONF = "plaint.consumer.local_urls"
CONSUMER_LOCAL = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("plaint.desk.")]
