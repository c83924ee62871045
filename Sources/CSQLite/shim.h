// SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot import.
#ifndef CSP_CSQLITE_SHIM_H
#define CSP_CSQLITE_SHIM_H
#include <sqlite3.h>

static inline int csp_sqlite3_bind_text_copy(sqlite3_stmt *stmt, int index, const char *text, int length) {
    return sqlite3_bind_text(stmt, index, text, length, SQLITE_TRANSIENT);
}
static inline int csp_sqlite3_bind_blob_copy(sqlite3_stmt *stmt, int index, const void *bytes, int length) {
    return sqlite3_bind_blob(stmt, index, bytes, length, SQLITE_TRANSIENT);
}
#endif
