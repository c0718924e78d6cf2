//! Device protocols as pure codecs (bytes in, bytes out). Filled by the devices issue.
