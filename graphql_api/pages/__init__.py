"""Server-rendered pages a customer opens from a message: the survey at its invitation link
(``/s/<token>``) and the password reset (``/reset/<token>``).

HTML from Jinja2 templates and one stylesheet shipped in this package: no build step, nothing
from the internet, no JavaScript needed. Each page calls the same domain command as its
GraphQL mutation; the page only translates form fields and shows the domain's answer. Every
form carries a token bound to its link (``form_tokens``), and every request passes the API's
rate limit per client and, for a POST, the per-address throttle (``post_guard``).
"""
