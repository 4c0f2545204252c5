// A VFS over the default one that gathers the write-ahead log's writes into one write per sync.
//
// SQLite writes each frame of the log as two writes (a 24-byte header, then the page) and syncs the log once per
// commit (synchronous=FULL). A commit of many pages thus makes two system calls per page, each writing across two
// pages of the file cache. This VFS keeps a run of consecutive writes to the log in memory and writes it with one
// call when the log is synced, read, resized, closed, or written elsewhere than the end of the run: what reaches
// the file, and in which order, is what SQLite wrote, only in fewer calls.
//
// It is only correct where every byte of a commit is written before the commit's sync, and the sync comes before
// the commit is visible to other connections, which read the log from the file:
// - every commit syncs the log (synchronous=FULL);
// - the database is power-safe to overwrite (SQLITE_IOCAP_POWERSAFE_OVERWRITE, the default): otherwise SQLite pads
//   a commit to a sector boundary and writes the padding after the sync, so such a log is not buffered at all;
// - nothing is written to the log outside a commit: a transaction that spills pages mid-way and then rolls back
//   would leave them here, to be written later over frames another connection may have committed since. The
//   store's writer turns spilling off (PRAGMA cache_spill=OFF) and refuses statements that change it.
// Every other file (the database, its shared memory, journals) is opened by the default VFS and used without this
// layer.

#include "log_buffer.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/// The most bytes kept before they are written: the most one write of SQLite's unix VFS takes (it masks a larger
/// length to 17 bits), 31 frames of 4 KiB pages.
#define BUFFER_CAPACITY 0x1ffff

typedef struct BufferedLog {
    sqlite3_file base;
    /// The default VFS's file, placed right after this struct.
    sqlite3_file *file;
    /// The run of consecutive writes not yet written: `length` bytes from `offset`.
    unsigned char *buffer;
    int length;
    sqlite3_int64 offset;
    /// False when the database is not power-safe to overwrite: every write then goes straight to the file.
    int buffering;
} BufferedLog;

static sqlite3_vfs *underlying;
static sqlite3_vfs bufferedVFS;
/// Whether this SQLite was built with power-safe overwrite on (its default).
static int powersafeByDefault;

/// Writes the pending run, if any, and empties it, also when the write fails: the error fails the commit (or the
/// operation) under way, which SQLite then rolls back.
static int flush(BufferedLog *log) {
    if (log->length == 0) return SQLITE_OK;
    int length = log->length;
    log->length = 0;
    return log->file->pMethods->xWrite(log->file, log->buffer, length, log->offset);
}

static int logClose(sqlite3_file *file) {
    BufferedLog *log = (BufferedLog *)file;
    int rc = flush(log);
    int closed = log->file->pMethods->xClose(log->file);
    free(log->buffer);
    log->buffer = NULL;
    return rc != SQLITE_OK ? rc : closed;
}

static int logRead(sqlite3_file *file, void *data, int amount, sqlite3_int64 offset) {
    BufferedLog *log = (BufferedLog *)file;
    if (log->length > 0 && offset < log->offset + log->length && log->offset < offset + amount) {
        int rc = flush(log);
        if (rc != SQLITE_OK) return rc;
    }
    return log->file->pMethods->xRead(log->file, data, amount, offset);
}

static int logWrite(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset) {
    BufferedLog *log = (BufferedLog *)file;
    if (!log->buffering) return log->file->pMethods->xWrite(log->file, data, amount, offset);
    if (log->length > 0 && offset == log->offset + log->length && amount <= BUFFER_CAPACITY - log->length) {
        memcpy(log->buffer + log->length, data, (size_t)amount);
        log->length += amount;
        return SQLITE_OK;
    }
    int rc = flush(log);
    if (rc != SQLITE_OK) return rc;
    if (amount > BUFFER_CAPACITY) return log->file->pMethods->xWrite(log->file, data, amount, offset);
    if (log->buffer == NULL) {
        log->buffer = (unsigned char *)malloc(BUFFER_CAPACITY);
        if (log->buffer == NULL) return log->file->pMethods->xWrite(log->file, data, amount, offset);
    }
    memcpy(log->buffer, data, (size_t)amount);
    log->length = amount;
    log->offset = offset;
    return SQLITE_OK;
}

static int logTruncate(sqlite3_file *file, sqlite3_int64 size) {
    BufferedLog *log = (BufferedLog *)file;
    int rc = flush(log);
    if (rc != SQLITE_OK) return rc;
    return log->file->pMethods->xTruncate(log->file, size);
}

static int logSync(sqlite3_file *file, int flags) {
    BufferedLog *log = (BufferedLog *)file;
    int rc = flush(log);
    if (rc != SQLITE_OK) return rc;
    return log->file->pMethods->xSync(log->file, flags);
}

static int logFileSize(sqlite3_file *file, sqlite3_int64 *size) {
    BufferedLog *log = (BufferedLog *)file;
    int rc = flush(log);
    if (rc != SQLITE_OK) return rc;
    return log->file->pMethods->xFileSize(log->file, size);
}

static int logLock(sqlite3_file *file, int lock) {
    BufferedLog *log = (BufferedLog *)file;
    return log->file->pMethods->xLock(log->file, lock);
}

static int logUnlock(sqlite3_file *file, int lock) {
    BufferedLog *log = (BufferedLog *)file;
    return log->file->pMethods->xUnlock(log->file, lock);
}

static int logCheckReservedLock(sqlite3_file *file, int *result) {
    BufferedLog *log = (BufferedLog *)file;
    return log->file->pMethods->xCheckReservedLock(log->file, result);
}

static int logFileControl(sqlite3_file *file, int op, void *argument) {
    BufferedLog *log = (BufferedLog *)file;
    int rc = flush(log);
    if (rc != SQLITE_OK) return rc;
    return log->file->pMethods->xFileControl(log->file, op, argument);
}

static int logSectorSize(sqlite3_file *file) {
    BufferedLog *log = (BufferedLog *)file;
    return log->file->pMethods->xSectorSize(log->file);
}

static int logDeviceCharacteristics(sqlite3_file *file) {
    BufferedLog *log = (BufferedLog *)file;
    return log->file->pMethods->xDeviceCharacteristics(log->file);
}

/// The log has no shared memory and is never memory-mapped by SQLite: version 1 methods suffice.
static const sqlite3_io_methods logMethods = {
    1,
    logClose,
    logRead,
    logWrite,
    logTruncate,
    logSync,
    logFileSize,
    logLock,
    logUnlock,
    logCheckReservedLock,
    logFileControl,
    logSectorSize,
    logDeviceCharacteristics,
    NULL, NULL, NULL, NULL, NULL, NULL,
};

static int bufferedOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    if ((flags & SQLITE_OPEN_WAL) == 0) {
        // Any other file is the default VFS's own, in the space SQLite allocated (at least its size).
        return underlying->xOpen(underlying, name, file, flags, outFlags);
    }
    BufferedLog *log = (BufferedLog *)file;
    memset(log, 0, sizeof(BufferedLog));
    log->file = (sqlite3_file *)&log[1];
    int rc = underlying->xOpen(underlying, name, log->file, flags, outFlags);
    if (rc != SQLITE_OK) {
        if (log->file->pMethods != NULL) log->file->pMethods->xClose(log->file);
        log->base.pMethods = NULL;
        return rc;
    }
    // SQLite pads commits when the database file (not the log) lacks power-safe overwrite, which the default VFS
    // grants unless the build turns it off or the database's URI says psow=0.
    log->buffering = powersafeByDefault && sqlite3_uri_boolean(sqlite3_filename_database(name), "psow", 1);
    log->base.pMethods = &logMethods;
    return SQLITE_OK;
}

static int bufferedDelete(sqlite3_vfs *vfs, const char *name, int syncDirectory) {
    (void)vfs;
    return underlying->xDelete(underlying, name, syncDirectory);
}

static int bufferedAccess(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs;
    return underlying->xAccess(underlying, name, flags, result);
}

static int bufferedFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return underlying->xFullPathname(underlying, name, size, out);
}

static void *bufferedDlOpen(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return underlying->xDlOpen(underlying, name);
}

static void bufferedDlError(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    underlying->xDlError(underlying, size, message);
}

static void (*bufferedDlSym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return underlying->xDlSym(underlying, handle, symbol);
}

static void bufferedDlClose(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    underlying->xDlClose(underlying, handle);
}

static int bufferedRandomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return underlying->xRandomness(underlying, size, out);
}

static int bufferedSleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return underlying->xSleep(underlying, microseconds);
}

static int bufferedCurrentTime(sqlite3_vfs *vfs, double *now) {
    (void)vfs;
    return underlying->xCurrentTime(underlying, now);
}

static int bufferedGetLastError(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    return underlying->xGetLastError ? underlying->xGetLastError(underlying, size, message) : 0;
}

static int bufferedCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    if (underlying->iVersion >= 2 && underlying->xCurrentTimeInt64 != NULL) {
        return underlying->xCurrentTimeInt64(underlying, now);
    }
    double days = 0;
    int rc = underlying->xCurrentTime(underlying, &days);
    *now = (sqlite3_int64)(days * 86400000.0);
    return rc;
}

static int registered = SQLITE_OK;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void registerOnce(void) {
    underlying = sqlite3_vfs_find(NULL);
    if (underlying == NULL) {
        registered = SQLITE_ERROR;
        return;
    }
    powersafeByDefault = !sqlite3_compileoption_used("POWERSAFE_OVERWRITE=0");
    bufferedVFS.iVersion = 2;
    bufferedVFS.szOsFile = (int)sizeof(BufferedLog) + underlying->szOsFile;
    bufferedVFS.mxPathname = underlying->mxPathname;
    bufferedVFS.zName = HANDOFF_LOG_BUFFER_VFS;
    bufferedVFS.xOpen = bufferedOpen;
    bufferedVFS.xDelete = bufferedDelete;
    bufferedVFS.xAccess = bufferedAccess;
    bufferedVFS.xFullPathname = bufferedFullPathname;
    bufferedVFS.xDlOpen = underlying->xDlOpen != NULL ? bufferedDlOpen : NULL;
    bufferedVFS.xDlError = underlying->xDlError != NULL ? bufferedDlError : NULL;
    bufferedVFS.xDlSym = underlying->xDlSym != NULL ? bufferedDlSym : NULL;
    bufferedVFS.xDlClose = underlying->xDlClose != NULL ? bufferedDlClose : NULL;
    bufferedVFS.xRandomness = bufferedRandomness;
    bufferedVFS.xSleep = bufferedSleep;
    bufferedVFS.xCurrentTime = bufferedCurrentTime;
    bufferedVFS.xGetLastError = bufferedGetLastError;
    bufferedVFS.xCurrentTimeInt64 = bufferedCurrentTimeInt64;
    registered = sqlite3_vfs_register(&bufferedVFS, 0);
}

int handoff_log_buffer_register(void) {
    pthread_once(&once, registerOnce);
    return registered;
}
