"""Testimonials: promoters' comments proposed, reviewed and published with consent."""
