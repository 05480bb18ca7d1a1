"""The commands' arguments and help texts, one module per command module of ``api.cli``.

Each ``register`` declares its commands and names their handlers (``api.cli.base.handler``)
without importing them, so that ``fairpath --help`` loads none of what the commands use.
"""
