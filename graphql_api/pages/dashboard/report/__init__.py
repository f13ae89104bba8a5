"""The monthly management report: read from the read models (:mod:`.figures`), laid out as a
PDF (:mod:`.pdf`). Served at ``/dashboard/report?month=YYYY-MM`` and written by
``cxledger report --month YYYY-MM --out report.pdf``."""
