"""The video wall (视频墙): streams for tiles, tours, linkage with cases, motion, snapshots."""
