// LevelDB's C API. Debian ships no pkg-config file for it, so the header and library are named here.
#ifndef CSP_CLEVELDB_SHIM_H
#define CSP_CLEVELDB_SHIM_H
#include <leveldb/c.h>
#endif
