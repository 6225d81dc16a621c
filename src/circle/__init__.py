"""circle: facilitate live group sessions from the terminal."""

import os

# circle uses no pydantic plugins; looking for them scans every installed package's
# metadata, a noticeable share of start-up. Anyone who needs them can set the variable.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
