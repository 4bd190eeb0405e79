// Debian's libxml2 (libxml2-dev), installed by scripts/deps.sh: the XML reader under XLSX imports.
//
// Debian builds libxml2 with ICU, so its encoding header pulls in the system's <unicode/ucnv.h>;
// Foundation on Linux carries its own ICU (_FoundationICU) whose UErrorCode differs, and a Swift file
// that sees both fails to compile ("not present in definition of 'enum UErrorCode'"). Jiliang never
// uses libxml2's ICU converters (workbook XML is UTF-8), so the ICU part of the headers is left out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
