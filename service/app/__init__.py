"""The application assembly: the FastAPI app, its context, route class, problem rendering,
OpenAPI, operations endpoints and the background workers."""
