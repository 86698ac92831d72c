"""``python -m fmri_oinfo.pipeline``: see :func:`fmri_oinfo.pipeline.cli.main`."""

from fmri_oinfo.pipeline.cli import main

raise SystemExit(main())
