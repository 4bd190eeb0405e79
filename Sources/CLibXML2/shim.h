// Debian's libxml2 (libxml2-dev), installed by scripts/deps.sh: the XML reader under XLSX imports.
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
