"""The one error type of the lab kit."""


class LabError(Exception):
    """The lab could not be built, started, reached or stopped.

    The message says why, and what to do about it.
    """
