"""Product reviews: writing and moderating them, a product's published reviews and rating."""
