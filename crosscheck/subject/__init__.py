"""The code under test: loading the user's function and adapting its layout and mode to the
network contract."""
