"""Geography: ports, routes, zones and the land they must avoid."""
