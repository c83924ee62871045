// zlib's init functions are macros over *_ (stream, version, size); Swift cannot call macros.
#ifndef CSP_CZLIB_SHIM_H
#define CSP_CZLIB_SHIM_H
#include <zlib.h>

static inline int csp_deflateInit2(z_streamp strm, int level, int windowBits) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
static inline int csp_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
