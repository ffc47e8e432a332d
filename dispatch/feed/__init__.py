"""The feed: wire protocol, CAP, the websocket client, intake, orders on the wire, the pipeline."""
