"""The exclusive events area of the API."""
