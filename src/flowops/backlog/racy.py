"""The one racy-timestamp window every cache keyed by a file's (or folder's) times uses.

A timestamp has the granularity of the kernel's clock tick (up to 1-2 s on some file
systems: FAT, ext3, HFS+), so a file rewritten at the same size within the tick after it
was read, or a folder changed within the tick after it was listed, keeps the key it was
read with. What was read is therefore cached only when the timestamps are more than
``RACY_NS`` older than the moment before it was read: any later change then gets a newer
timestamp, so a new key. Something changed in the last two seconds is read again.
"""

RACY_NS = 2_000_000_000
