"""The core's web pages, one module per audience: hosts, series, the public, jobs."""
