"""Not a subject: ``LEARNING_RATE`` is a number, for the "not callable" usage error."""

LEARNING_RATE = 0.1


def helper():
    return LEARNING_RATE
