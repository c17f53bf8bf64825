"""Demo discussions on the Policy Cafe board, and synthetic threads for benchmarks."""


def load(*, scale: int = 0, stdout=None) -> None:
    """Create the demo threads (idempotent); `scale` adds threads and posts in proportion."""
