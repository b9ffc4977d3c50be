"""The assessment engine: periods, records as of a moment, the indicator catalogue, scoring."""
