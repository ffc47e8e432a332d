"""The demo city simulator and test servers: a fictional city, its generated life, a protocol v1 feed server,
demo cameras and drills. Above dispatch and video, never imported by them.

This package imports nothing on its own: `python3 -m sim.rtsp_gst` runs under the system Python (for
GStreamer), which has none of the virtualenv's packages.
"""
