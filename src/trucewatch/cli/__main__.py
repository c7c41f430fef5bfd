"""``python -m trucewatch.cli`` runs the command line."""

from trucewatch.cli import main

if __name__ == "__main__":
    main()
