"""``python -m fmri_oinfo.group STUDY_DIR``: see :mod:`fmri_oinfo.group.cli`."""

from fmri_oinfo.group.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
