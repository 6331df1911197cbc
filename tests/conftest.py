pytest_plugins = ["tests.labkit.fixtures"]
