// Debian's libxlsxwriter (libxlsxwriter-dev), installed by scripts/deps.sh.
#include <xlsxwriter.h>
