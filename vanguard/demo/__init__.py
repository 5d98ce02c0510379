"""The demo college and the benchmark data: one builder step per app, on the apps' services."""
