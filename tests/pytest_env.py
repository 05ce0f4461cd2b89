"""Loaded with `-p tests.pytest_env` before pytest-django reads the settings."""

import os

os.environ["SHIELDHUB_ENV"] = "test"
os.environ.setdefault("SHIELDHUB_DATA_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))
