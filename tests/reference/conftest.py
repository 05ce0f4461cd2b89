from tests.reference.fixtures import ref, reference_tables  # noqa: F401
