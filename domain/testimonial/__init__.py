"""Testimonials: promoters' comments, reviewed by a marketer, published with consent."""
