"""Dashboard views: one module per ``site/data/<view>.json`` file, following docs/VIEWS.md."""
