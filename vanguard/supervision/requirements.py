"""The requirement kinds (检查项) supervision brings to a campaign's phases, registered
with the campaign's requirement registry at start-up (`SupervisionConfig.ready`)."""
