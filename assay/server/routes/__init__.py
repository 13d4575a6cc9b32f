"""The API's routes, one module per resource; each handler delegates to the packages."""
