// Debian's cJSON (libcjson-dev), installed by scripts/deps.sh: a gateway's NDJSON lines (issue #21).
#include <cjson/cJSON.h>
