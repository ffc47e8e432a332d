"""The command line: `python main.py [sub-command] …`, one module per command."""
