"""The self-contained HTML report (jinja2 templates in ``templates/``).

- :class:`ReportContext` - the inputs of a subject report;
- :func:`render_report` - write the report atomically;
- :func:`render_template` - render any packaged template (for a group report
  extending ``base.html``).
"""

from __future__ import annotations

from fmri_oinfo.report.context import ReportContext, package_versions
from fmri_oinfo.report.render import render_report, render_report_html, render_template

__all__ = ["ReportContext", "package_versions", "render_report", "render_report_html", "render_template"]
