"""Loaded with `-p tests.pytest_env` before pytest-django reads the settings."""

import os

os.environ["SHIELDHUB_ENV"] = "test"
_data = os.environ.setdefault(
    "SHIELDHUB_DATA_DIR", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "test")
)
os.makedirs(os.path.join(_data, "static"), exist_ok=True)  # WhiteNoise expects STATIC_ROOT to exist
