"""Customer success in the API: health scores, the at-risk list and success plans."""
