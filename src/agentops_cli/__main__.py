"""Entry point for ``agentops`` and ``python -m agentops_cli``."""

from agentops_cli.cli.app import main

if __name__ == "__main__":
    main()
