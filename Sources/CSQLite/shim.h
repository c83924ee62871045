// SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot import.
#ifndef CSP_CSQLITE_SHIM_H
#define CSP_CSQLITE_SHIM_H
#include <sqlite3.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int csp_sqlite3_bind_text_copy(sqlite3_stmt *stmt, int index, const char *text, int length) {
    return sqlite3_bind_text(stmt, index, text, length, SQLITE_TRANSIENT);
}
static inline int csp_sqlite3_bind_blob_copy(sqlite3_stmt *stmt, int index, const void *bytes, int length) {
    return sqlite3_bind_blob(stmt, index, bytes, length, SQLITE_TRANSIENT);
}
// SQLITE_STATIC (a null destructor): SQLite reads the caller's bytes until the statement
// is reset or rebound, with no copy (Statement.run(borrowing:) keeps them alive until then).
static inline int csp_sqlite3_bind_text_static(sqlite3_stmt *stmt, int index, const char *text, int length) {
    return sqlite3_bind_text(stmt, index, text, length, SQLITE_STATIC);
}
static inline int csp_sqlite3_bind_blob_static(sqlite3_stmt *stmt, int index, const void *bytes, int length) {
    return sqlite3_bind_blob(stmt, index, bytes, length, SQLITE_STATIC);
}
// sqlite3_config is variadic, which Swift cannot call. Memory statistics off: with them on,
// every SQLite malloc and free takes a global mutex (a tenth of a bulk load's writer time).
// Must run before SQLite initializes; afterwards SQLite refuses it (SQLITE_MISUSE), harmlessly.
static inline int csp_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
// Starts writing the file's dirty pages to the disk without waiting for them
// (sync_file_range with SYNC_FILE_RANGE_WRITE, 2, which <fcntl.h> declares only with
// _GNU_SOURCE): an unsynced bulk load keeps the disk busy while it computes, so the one
// fsync at its end finds little left to write. Linux only; elsewhere a no-op.
static inline void csp_start_writeback(int fd) {
#if defined(__linux__) && defined(SYS_sync_file_range)
    (void)syscall(SYS_sync_file_range, fd, (long long)0, (long long)0, 2u);
#else
    (void)fd;
#endif
}
#endif
