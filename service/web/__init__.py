"""Server-rendered pages (the console, subscriber pause links): one Jinja environment factory
and the helpers that make figures readable for people."""
