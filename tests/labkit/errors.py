"""The one error type of the lab kit."""


class LabError(Exception):
    """The lab could not be built, started, reached or stopped; the message says why and what to do."""
