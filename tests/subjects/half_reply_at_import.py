"""Hostile: the half-written reply of half_reply.py, while its module is being imported."""

import os
import struct
import sys
import time

os.write(int(sys.argv[1]), struct.pack("!i", 100) + b"\x80\x05")
time.sleep(60)


def loss_and_grads(params, X, Y, spec):
    raise AssertionError("never imported")
