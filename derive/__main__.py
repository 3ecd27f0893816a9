"""`python -m derive` is the `derive` command."""
from derive.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
