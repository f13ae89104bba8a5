"""The campaigns area of the API."""
