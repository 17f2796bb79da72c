"""Hostile: writes on the worker's own socket to crosscheck (its file descriptor is the
worker's first argument) the header of a reply and then sleeps, or a header that claims a
reply of 1 TiB: a parent that reads a frame without a deadline, or believes its size, hangs."""

import os
import struct
import sys
import time


def _socket() -> int:
    return int(sys.argv[1])


def cut_reply(params, X, Y, spec):
    os.write(_socket(), struct.pack("!i", 100) + b"\x80\x05")  # 2 of the 100 bytes promised
    time.sleep(60)


def huge_reply(params, X, Y, spec):
    os.write(_socket(), struct.pack("!i", -1) + struct.pack("!Q", 1 << 40))
    time.sleep(60)


def relu_forward(x):
    return x * (x > 0), x


def relu_backward(dout, cache):
    cut_reply(None, None, None, None)
