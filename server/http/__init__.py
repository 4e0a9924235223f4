"""HTTP: the routes and pages, the middleware chain, error pages, static files with caching,
templates, and the limits every request meets at the edge (URL lengths, sockets per address,
HTTPS-only staff pages)."""
