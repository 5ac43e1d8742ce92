from homeward.errors import InvalidInput


class InvalidReportRange(InvalidInput):
    slug, title = "invalid-report-range", "The report's date range is not valid"
