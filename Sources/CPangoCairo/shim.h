// Debian's cairo (PDF surfaces) and Pango (CJK text layout over fontconfig), installed by
// scripts/deps.sh as libcairo2-dev and libpango1.0-dev; fonts-noto-cjk draws the Chinese.
#include <cairo/cairo.h>
#include <cairo/cairo-pdf.h>
#include <pango/pangocairo.h>
