// libpng's simplified API (Debian libpng-dev).
#include <png.h>
