"""Privacy reports: the record of data exports, and the read-model part of an export."""
