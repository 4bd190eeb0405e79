// Debian's libqrencode (libqrencode-dev), installed by scripts/deps.sh.
#include <qrencode.h>
