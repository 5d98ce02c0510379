"""The app's models live in their workflows' sub-packages; Django finds them here."""

from vanguard.materials.archive.models import ArchiveJob  # noqa: F401
from vanguard.materials.bundles.models import BundleJob  # noqa: F401
from vanguard.materials.report.models import ReportSelection  # noqa: F401
from vanguard.materials.stage_summary.models import StageSummary  # noqa: F401
from vanguard.materials.workbook.models import WorkbookJob  # noqa: F401
