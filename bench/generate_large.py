"""Fill a PostgreSQL database with a large archive (demo/large.py): 100,000 events and 1,000,000
posts by default.

    eval "$(make -s prod-env)"
    .venv/bin/python bench/generate_large.py --events 100000 --posts 1000000
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from demo.large import main  # noqa: E402

if __name__ == "__main__":
    main()
