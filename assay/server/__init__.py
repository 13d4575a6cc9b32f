"""The server: a REST API and a web dashboard over the metastore, with tokens and roles.

``assay server`` runs it. The web libraries (FastAPI, Uvicorn, Jinja2) are imported only by
the app's modules, so ``import assay`` and the token rows work without them.
"""
