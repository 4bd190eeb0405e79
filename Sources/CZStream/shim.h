// Debian's zlib (zlib1g-dev), installed by scripts/deps.sh: gzip request bodies (issue #21).
// (ZIPFoundation brings its own module for zlib, named CZlib; this one is the server's.)
#include <zlib.h>
