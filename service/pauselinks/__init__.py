"""Subscriber pause links: a signed, expiring link that lets a subscriber pause (or resume)
their own subscription after seeing, from the pause engine, when billing resumes and what it
will take."""
