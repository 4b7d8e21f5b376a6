"""Sans-I/O device protocols: bytes in, events and reply bytes out."""
