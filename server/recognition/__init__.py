"""The server side of the `recognition` library: the runtime (models, frame pump, the indexes),
frame analysis and alerts, crops, the camera pull workers, the direct queries and the CLI.

Above server.cameras, server.plates and server.watchlists: it may import them; none of them may
import it (they reach the runtime through the protocols they declare, filled by the app's
``recognition`` dependency).
"""
