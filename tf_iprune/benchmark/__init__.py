"""The benchmark of iPrune against its baselines on the simulated device:
`runner` (train, prune, export, simulate), `report` (tables), `plots`."""
