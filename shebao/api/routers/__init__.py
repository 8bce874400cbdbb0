"""One router per area of the API, mounted in shebao/api/api.py."""
