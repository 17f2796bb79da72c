"""The ``crosscheck`` command: one module per subcommand, dispatched by :mod:`.main`."""
