// hiredis (Debian libhiredis-dev). No pkgConfig in Package.swift: hiredis.pc adds -D_FILE_OFFSET_BITS=64,
// which SwiftPM rejects; the header and library are on the default paths.
#include <hiredis/hiredis.h>
