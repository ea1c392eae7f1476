"""Writer of the trainer's dataset format (read by src/train/data.rs).

A gzip stream of:
  magic      8 bytes  b"SPKDATA1"
  channels   u8
  height     u8
  width      u8
  reserved   u8       0
  max_value  u16 LE   largest pixel value (16 for 8x8 digits, 255 for MNIST)
  train      u32 LE   number of training samples
  test       u32 LE   number of test samples
then `train` training records followed by `test` test records, each one label
byte (0-9) and channels*height*width pixel bytes in height, width, channel
order.
"""

import gzip
import struct


def write_dataset(path, shape, max_value, train, test):
    channels, height, width = shape
    pixels = channels * height * width
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as out:
        out.write(b"SPKDATA1")
        out.write(struct.pack("<BBBBHII", channels, height, width, 0, max_value, len(train), len(test)))
        for label, image in list(train) + list(test):
            if len(image) != pixels or not 0 <= label <= 9:
                raise ValueError(f"bad record: label {label}, {len(image)} pixels")
            if max(image) > max_value:
                raise ValueError(f"pixel {max(image)} above {max_value}")
            out.write(bytes([label]))
            out.write(bytes(image))
