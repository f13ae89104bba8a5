"""Testimonials: reviewing promoters' comments, and listing the approved ones."""
